#include "coordinator/audit.h"

#include <set>

#include <google/protobuf/util/message_differencer.h>

#include <string>
#include <string_view>

#include "common/schedule.h"

namespace capture::coord {

Result<std::unique_ptr<judge::Judge>> MakeJudge(const JudgeInputs& inputs) {
  if (Status s = judge::SameRules(inputs.config); !s.ok()) return s;
  auto schedule = ParseSchedule(inputs.schedule_csv, "the stored schedule");
  if (!schedule.ok()) return Status::Corruption(schedule.status().message());
  auto roster = ParseRoster(inputs.roster_csv, "the stored roster");
  if (!roster.ok()) return Status::Corruption(roster.status().message());
  return std::make_unique<judge::Judge>(std::move(*schedule), std::move(*roster), inputs.config);
}

Status Replay(const RecordStore& store, judge::Judge& judge,
              const std::function<void(const wire::RecordItem&, const wire::Verdict&)>& each,
              const StoredItemSink& stored) {
  wire::Verdict verdict;  // one for every item: its room is reused
  return store.ForEachStoredItem([&](const wire::RecordItem& item, std::string_view item_bytes,
                                     std::string_view stored_verdict) {
    if (stored) stored(item_bytes, stored_verdict);
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

Result<VerifyOutcome> VerifyVerdicts(const RecordStore& store, const StoredItemSink& sink) {
  auto judge = MakeStoredJudge(store);
  if (!judge.ok()) return judge.status();
  VerifyOutcome outcome;
  wire::Verdict verdict;  // their room is reused
  std::string rejudged;
  Status read = store.ForEachStoredItem([&](const wire::RecordItem& item, std::string_view item_bytes,
                                             std::string_view stored) {
    if (sink) sink(item_bytes, stored);
    ++outcome.items;
    if (item.has_observation() && item.observation().kind() == wire::Observation::COORDINATOR_KEY_ROTATED) {
      outcome.key_rotations.push_back(
          {item.commit_index(), item.observation().previous_key(), item.observation().public_key()});
    }
    (*judge)->Apply(item, nullptr, &verdict);
    verdict.SerializeToString(&rejudged);
    if (outcome.equal && rejudged != stored) {
      outcome.equal = false;
      outcome.first_difference = item.commit_index();
      outcome.difference = stored.empty() ? "no verdict is stored for this record item"
                                          : DescribeVerdictDifference(std::string(stored), verdict);
    }
    return true;
  });
  if (!read.ok()) return read;
  return outcome;
}

Result<ImageAudit> AuditImages(const RecordStore& store, const ImageStore& images) {
  ImageAudit audit;
  std::set<Sha256> seen;
  Status failed = Status::Ok();
  wire::CaptureEvent event;  // its room is reused
  Status read = store.ForEachItem([&](const wire::RecordItem& item) {
    if (!item.has_event() || !event.ParseFromString(item.event()) || event.kind() != wire::SHOT_TAKEN) return true;
    const auto sha = Sha256FromBytes(event.shot().sha256());
    if (!sha || !seen.insert(*sha).second) return true;
    ++audit.images;
    auto bytes = images.ReadChecked(*sha);
    if (bytes.ok()) return true;
    const std::string line = "station=" + std::to_string(event.station()) + " seq=" + std::to_string(event.seq()) +
                             " file=" + event.shot().file_name() + " sha256=" + ToHex(*sha);
    switch (bytes.status().code()) {
      case Status::Code::kNotFound: audit.missing.push_back(line); return true;
      case Status::Code::kCorruption: audit.altered.push_back(line); return true;
      default: failed = bytes.status(); return false;
    }
  });
  if (!read.ok()) return read;
  if (!failed.ok()) return failed;
  return audit;
}

Result<Enrolment> StoredEnrolment(const RecordStore& store) {
  auto inputs = store.ReadJudgeInputs();
  if (!inputs.ok()) return inputs.status();
  Enrolment enrolment;
  if (!inputs->station_keys_csv.empty()) {
    auto schedule = ParseSchedule(inputs->schedule_csv, "the stored schedule");
    if (!schedule.ok()) return Status::Corruption(schedule.status().message());
    auto parsed = Enrolment::FromCsv(inputs->station_keys_csv, "the stored enrolment", schedule->Stations());
    if (!parsed.ok()) return Status::Corruption(parsed.status().message());
    enrolment = std::move(*parsed);
  }
  Status s = store.ForEachItem([&](const wire::RecordItem& item) {
    // A change the coordinator refused to record is never stored; one that fails here failed live too.
    if (item.has_observation()) enrolment.Apply(item.observation(), item.commit_index(), item.received_time_us()).IgnoreError();
    return true;
  });
  if (!s.ok()) return s;
  return enrolment;
}

}  // namespace capture::coord
