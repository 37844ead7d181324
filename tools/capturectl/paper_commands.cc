// The commands of the paper registration forms (登记表): forms, reconcile.
#include "common/fs.h"
#include "common/schedule.h"
#include "common/time_format.h"
#include "tools/capturectl/commands.h"
#include "tools/capturectl/forms.h"
#include "tools/capturectl/reconcile.h"

namespace capture::ctl {

namespace {

Result<RegistrationForm> FormFromStore(const FormsArgs& args) {
  auto judged = JudgeStore(args.source.store_dir);
  if (!judged.ok()) return judged.status();
  auto roster = ParseRoster(judged->inputs.roster_csv, "the store's roster");
  if (!roster.ok()) return roster.status();
  auto schedule = ParseSchedule(judged->inputs.schedule_csv, "the store's schedule");
  if (!schedule.ok()) return schedule.status();
  std::string date = args.date;
  const wire::JudgeConfig& config = judged->inputs.config;
  if (date.empty() && config.local_midnight_us() != 0) {
    date = FormatIso8601(config.local_midnight_us(), config.utc_offset_minutes()).substr(0, 10);  // YYYY-MM-DD
  }
  const std::vector<judge::AssignmentRow> assignment = judged->judge->Assignment();
  return MakeForm(*roster, &*schedule, &assignment, args.class_name, date);
}

// The running coordinator's roster, schedule, day and assignment, as the registrar asks for them.
Result<RegistrationForm> FormFromCoordinator(const FormsArgs& args) {
  const auto exported = [&](wire::ExportRequest::What what) {
    wire::ExportRequest request;
    request.set_what(what);
    return ExportText(args.source, request);
  };
  auto roster_csv = exported(wire::ExportRequest::ROSTER);
  if (!roster_csv.ok()) return roster_csv.status();
  auto roster = ParseRoster(*roster_csv, "the coordinator's roster");
  if (!roster.ok()) return roster.status();
  auto schedule_csv = exported(wire::ExportRequest::SCHEDULE);
  if (!schedule_csv.ok()) return schedule_csv.status();
  auto schedule = ParseSchedule(*schedule_csv, "the coordinator's schedule");
  if (!schedule.ok()) return schedule.status();
  std::string date = args.date;
  if (date.empty()) {
    auto day = exported(wire::ExportRequest::DAY);
    if (!day.ok()) return day.status();
    date = *day;
  }
  auto assignment_csv = exported(wire::ExportRequest::ASSIGNMENT);
  if (!assignment_csv.ok()) return assignment_csv.status();
  auto assignment = ParseAssignmentCsv(*assignment_csv, "the coordinator's assignment export");
  if (!assignment.ok()) return assignment.status();
  return MakeForm(*roster, &*schedule, &*assignment, args.class_name, date);
}

Result<RegistrationForm> FormFromRoster(const FormsArgs& args) {
  auto roster = LoadRoster(args.roster_path);
  if (!roster.ok()) return roster.status();
  if (args.schedule_path.empty()) return MakeForm(*roster, nullptr, nullptr, args.class_name, args.date);
  auto schedule = LoadSchedule(args.schedule_path);
  if (!schedule.ok()) return schedule.status();
  return MakeForm(*roster, &*schedule, nullptr, args.class_name, args.date);
}

Result<std::vector<judge::AssignmentRow>> RecordAssignment(const RecordSource& source) {
  if (!source.store_dir.empty()) {
    auto judged = JudgeStore(source.store_dir);
    if (!judged.ok()) return judged.status();
    return judged->judge->Assignment();
  }
  wire::ExportRequest request;
  request.set_what(wire::ExportRequest::ASSIGNMENT);
  auto text = ExportText(source, request);
  if (!text.ok()) return text.status();
  return ParseAssignmentCsv(*text, "the coordinator's assignment export");
}

}  // namespace

int RunForms(const FormsArgs& args) {
  const int sources = !args.source.store_dir.empty() + !args.source.connection.endpoint.empty() +
                      !args.roster_path.empty();
  if (sources != 1) return Fail("forms: give exactly one of --store DIR, --connect ENDPOINT and --roster CSV");
  if (!args.schedule_path.empty() && args.roster_path.empty()) {
    return Fail("forms: --schedule goes with --roster; a store holds its schedule");
  }
  auto form = !args.roster_path.empty()      ? FormFromRoster(args)
              : !args.source.store_dir.empty() ? FormFromStore(args)
                                               : FormFromCoordinator(args);
  if (!form.ok()) return Fail("forms: " + form.status().message());
  return Emit(FormHtml(*form), args.out);
}

int RunReconcile(const ReconcileArgs& args) {
  if (Status s = CheckOneSource(args.source); !s.ok()) return Fail("reconcile: " + s.message());
  auto text = ReadFile(args.form_path);
  if (!text.ok()) return Fail(text.status().message());
  auto paper = ParsePaperForm(*text, args.form_path);
  if (!paper.ok()) return Fail(paper.status().message());
  auto record = RecordAssignment(args.source);
  if (!record.ok()) return Fail(record.status().message());
  auto result = Reconcile(*paper, *record, args.class_name);
  if (!result.ok()) return Fail("reconcile: " + result.status().message());
  const int emitted = Emit(args.json ? ReconciliationJsonLines(*result) : ReconciliationTable(*result), "");
  if (emitted != kExitOk) return emitted;
  return result->findings.empty() ? kExitOk : kExitFound;
}

}  // namespace capture::ctl
