#include "coordinator/audit.h"

#include <google/protobuf/util/message_differencer.h>

#include "common/schedule.h"

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
  return store.ForEachItem([&](const wire::RecordItem& item) {
    wire::Verdict verdict = judge.Apply(item);
    if (each) each(item, verdict);
    return true;
  });
}

Result<std::unique_ptr<judge::Judge>> JudgeStoredRecord(const RecordStore& store) {
  if (!store.judge_inputs()) {
    return Status::NotFound("the store holds no judge inputs: no coordinator of this version has opened it");
  }
  auto judge = MakeJudge(*store.judge_inputs());
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

Result<VerifyOutcome> VerifyVerdicts(const RecordStore& store) {
  if (!store.judge_inputs()) {
    return Status::NotFound("the store holds no judge inputs: no coordinator of this version has opened it");
  }
  auto judge = MakeJudge(*store.judge_inputs());
  if (!judge.ok()) return judge.status();

  // Both sequences are in commit order; they are walked side by side with one stored verdict read
  // ahead.
  std::vector<std::pair<uint64_t, std::string>> stored;
  if (Status s = store.ForEachVerdict([&](uint64_t index, const std::string& bytes) {
        stored.emplace_back(index, bytes);
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
  Status replayed = Replay(store, **judge, [&](const wire::RecordItem& item, const wire::Verdict& verdict) {
    ++outcome.items;
    if (next < stored.size() && stored[next].first < item.commit_index()) {
      differ(stored[next].first, "a stored verdict for commit index " + std::to_string(stored[next].first) +
                                     ", which is no record item");
      while (next < stored.size() && stored[next].first < item.commit_index()) ++next;
    }
    if (next >= stored.size() || stored[next].first != item.commit_index()) {
      differ(item.commit_index(), "no verdict is stored for this record item");
      return;
    }
    if (std::string what = DescribeVerdictDifference(stored[next].second, verdict); !what.empty()) {
      differ(item.commit_index(), std::move(what));
    }
    ++next;
  });
  if (!replayed.ok()) return replayed;
  if (next < stored.size()) {
    differ(stored[next].first, "a stored verdict for commit index " + std::to_string(stored[next].first) +
                                   ", which is no record item");
  }
  return outcome;
}

}  // namespace capture::coord
