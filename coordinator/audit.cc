#include "coordinator/audit.h"

#include <google/protobuf/util/message_differencer.h>
#include <sodium.h>

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "common/schedule.h"
#include "common/sha256.h"

namespace capture::coord {

Result<std::unique_ptr<judge::Judge>> MakeJudge(const JudgeInputs& inputs) {
  auto schedule = ParseSchedule(inputs.schedule_csv, "the stored schedule");
  if (!schedule.ok()) return Status::Corruption(schedule.status().message());
  auto roster = ParseRoster(inputs.roster_csv, "the stored roster");
  if (!roster.ok()) return Status::Corruption(roster.status().message());
  return std::make_unique<judge::Judge>(std::move(*schedule), std::move(*roster), inputs.config);
}

Status Replay(const RecordStore& store, judge::Judge& judge,
              const std::function<void(const wire::RecordItem&, const wire::Verdict&)>& each) {
  wire::Verdict verdict;  // one for every item: its room is reused
  return store.ForEachItem([&](const wire::RecordItem& item) {
    judge.Apply(item, nullptr, &verdict);
    if (each) each(item, verdict);
    return true;
  });
}

namespace {

// A fresh Judge for the inputs stored with the record.
Result<std::unique_ptr<judge::Judge>> MakeStoredJudge(const RecordStore& store) {
  if (!store.has_judge_inputs()) {
    return Status::NotFound("the store holds no judge inputs: no coordinator of this version has opened it");
  }
  auto inputs = store.ReadJudgeInputs();
  if (!inputs.ok()) return inputs.status();
  return MakeJudge(*inputs);
}

}  // namespace

Result<std::unique_ptr<judge::Judge>> JudgeStoredRecord(const RecordStore& store) {
  auto judge = MakeStoredJudge(store);
  if (!judge.ok()) return judge.status();
  if (Status s = Replay(store, **judge); !s.ok()) return s;
  return judge;
}

std::string DescribeVerdictDifference(const std::string& stored_bytes, const wire::Verdict& rejudged) {
  const std::string rejudged_bytes = rejudged.SerializeAsString();
  if (stored_bytes == rejudged_bytes) return "";
  wire::Verdict stored;
  if (!stored.ParseFromString(stored_bytes)) {
    return "the stored verdict (" + std::to_string(stored_bytes.size()) + " bytes) does not parse";
  }
  std::string report;
  google::protobuf::util::MessageDifferencer differ;
  differ.ReportDifferencesToString(&report);
  if (differ.Compare(stored, rejudged)) {
    return "the same verdict, serialized differently (" + std::to_string(stored_bytes.size()) + " stored bytes, " +
           std::to_string(rejudged_bytes.size()) + " re-judged)";
  }
  // The differencer writes one line per difference, naming the stored side first.
  for (char& c : report) {
    if (c == '\n') c = ';';
  }
  while (!report.empty() && (report.back() == ';' || report.back() == ' ')) report.pop_back();
  return "stored vs re-judged: " + report;
}

namespace {

// A stored verdict as VerifyVerdicts keeps it between its two passes over the store: 8 bytes, not
// the verdict's bytes, so that verifying a year's record takes little memory. SipHash-2-4 with a
// key drawn for each run: no one can make two different verdicts digest alike on purpose, and by
// chance two do with probability 2^-64.
class VerdictDigest {
 public:
  VerdictDigest() {
    EnsureSodium();
    crypto_shorthash_keygen(key_.data());
  }
  uint64_t operator()(std::string_view bytes) const {
    std::array<unsigned char, crypto_shorthash_BYTES> out;
    crypto_shorthash(out.data(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), key_.data());
    uint64_t digest = 0;
    for (unsigned char b : out) digest = (digest << 8) | b;
    return digest;
  }

 private:
  std::array<unsigned char, crypto_shorthash_KEYBYTES> key_;
};

// The stored verdict bytes of one commit index (empty if there is none).
Result<std::string> StoredVerdict(const RecordStore& store, uint64_t index) {
  std::string found;
  Status read = store.ForEachVerdict([&](uint64_t at, const std::string& bytes) {
    if (at == index) found = bytes;
    return at < index;
  });
  if (!read.ok()) return read;
  return found;
}

}  // namespace

Result<VerifyOutcome> VerifyVerdicts(const RecordStore& store) {
  auto judge = MakeStoredJudge(store);
  if (!judge.ok()) return judge.status();

  // The store hands out items and verdicts in two passes: the first keeps each stored verdict's
  // digest, the second re-judges and compares digests, going back for the stored bytes only to
  // describe the first difference. Both passes are in commit order.
  const VerdictDigest digest;
  std::vector<std::pair<uint64_t, uint64_t>> stored;  // (commit index, digest)
  if (Status s = store.ForEachVerdict([&](uint64_t index, const std::string& bytes) {
        stored.emplace_back(index, digest(bytes));
        return true;
      });
      !s.ok()) {
    return s;
  }
  VerifyOutcome outcome;
  size_t next = 0;
  auto differ = [&](uint64_t index, std::string what) {
    if (!outcome.equal) return;
    outcome.equal = false;
    outcome.first_difference = index;
    outcome.difference = std::move(what);
  };
  std::string rejudged;                    // its room is reused
  std::optional<wire::Verdict> different;  // the re-judged verdict of the first difference, if one differs
  Status replayed = Replay(store, **judge, [&](const wire::RecordItem& item, const wire::Verdict& verdict) {
    ++outcome.items;
    if (next < stored.size() && stored[next].first < item.commit_index()) {
      differ(stored[next].first,
             "a stored verdict for commit index " + std::to_string(stored[next].first) + ", which is no record item");
      while (next < stored.size() && stored[next].first < item.commit_index()) ++next;
    }
    if (next >= stored.size() || stored[next].first != item.commit_index()) {
      differ(item.commit_index(), "no verdict is stored for this record item");
      return;
    }
    verdict.SerializeToString(&rejudged);
    if (digest(rejudged) != stored[next].second && outcome.equal) {
      differ(item.commit_index(), "");  // described below, from the stored bytes
      different = verdict;
    }
    ++next;
  });
  if (!replayed.ok()) return replayed;
  if (next < stored.size()) {
    differ(stored[next].first,
           "a stored verdict for commit index " + std::to_string(stored[next].first) + ", which is no record item");
  }
  if (different) {
    auto bytes = StoredVerdict(store, different->commit_index());
    if (!bytes.ok()) return bytes.status();
    outcome.difference = DescribeVerdictDifference(*bytes, *different);
    if (outcome.difference.empty()) outcome.difference = "the stored verdict changed while it was verified";
  }
  return outcome;
}

}  // namespace capture::coord
