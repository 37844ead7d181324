// `capturectl fetch`: an auditor's copy of a campus's record from the replication stream
// (docs/replication.md, "Fetching a campus as an auditor"). The store it writes is a restored one
// (coordinator/replication/restore.h), read by `verify`, the exports and a re-judge like the
// campus's own.
#include <cstdio>

#include "common/fs.h"
#include "common/identity.h"
#include "common/sha256.h"
#include "coordinator/record_store.h"
#include "coordinator/replication/nats_stream.h"
#include "coordinator/replication/restore.h"
#include "tools/capturectl/commands.h"

namespace capture::ctl {

int RunFetch(const FetchArgs& args) {
  if (Status s = replication::CheckCampusId(args.campus); !s.ok()) return Fail("fetch: " + s.message());
  auto urls = replication::ParseNatsUrls(args.nats);
  if (!urls.ok()) return Fail("fetch: --nats: " + urls.status().message());
  std::optional<Identity> auditor;
  replication::RosterSource roster;
  if (!args.auditor_secret.empty()) {
    auto loaded = Identity::Load(args.auditor_secret);
    if (!loaded.ok()) return Fail("fetch: --auditor-secret: " + loaded.status().message());
    auditor = std::move(*loaded);
    roster = replication::RosterSource::Auditor(*auditor);
  } else if (!args.roster.empty()) {
    auto bytes = ReadFile(args.roster);
    if (!bytes.ok()) return Fail("fetch: --roster: " + bytes.status().message());
    roster = replication::RosterSource::File(std::move(*bytes));
  } else {
    return Fail("fetch: give --auditor-secret (the auditors' key file) or the registrar's --roster: the replicated "
                "roster is sealed");
  }
  auto store = coord::RecordStore::Open(args.store_dir, /*read_only=*/false);
  if (!store.ok()) return Fail("fetch: " + store.status().message());
  replication::NatsOptions nats{std::move(*urls), args.creds_file, args.tls_ca_file, "capturectl fetch " + args.campus};
  auto stream = replication::NatsStream::Connect(nats, std::chrono::seconds(10));
  if (!stream.ok()) return Fail("fetch: " + stream.status().message());
  auto restored =
      replication::RestoreCampus(**stream, args.campus, std::move(roster), **store, std::chrono::seconds(30));
  if (!restored.ok()) {
    return Fail("fetch: cannot fetch campus " + args.campus + " into " + args.store_dir + ": " +
                restored.status().message());
  }
  // `verify` holds the heads against STORE/coordinator.pub by default: the record's own key.
  if (Status s = WritePublicKey(args.store_dir + "/coordinator.pub", restored->coordinator_key); !s.ok()) {
    return Fail("fetch: " + s.message());
  }
  std::printf("fetched campus=%s record=%s items=%llu messages=%llu heads=%llu heads_beyond=%llu store=%s\n",
              args.campus.c_str(), ToHex(restored->record_id).c_str(),
              static_cast<unsigned long long>(restored->items), static_cast<unsigned long long>(restored->messages),
              static_cast<unsigned long long>(restored->heads), static_cast<unsigned long long>(restored->heads_beyond),
              args.store_dir.c_str());
  return kExitOk;
}

}  // namespace capture::ctl
