// capturectl: the registrar's and the auditor's command line. Reads a coordinator's record (a
// stopped coordinator's store, read-only) or asks a running coordinator over its control socket.
//
//   capturectl status --connect ENDPOINT [--json]
//   capturectl anomalies [--open] [--station N] (--store DIR | --connect ENDPOINT) [--json]
//   capturectl resolve ID --reason TEXT --connect ENDPOINT --token-file FILE [--by NAME]
//   capturectl close-day --connect ENDPOINT --token-file FILE [--station N] [--by NAME]
//   capturectl enroll --station N (--key HEX_OR_FILE | --revoke) --connect ENDPOINT --token-file FILE
//   capturectl keys (--store DIR | --connect ENDPOINT) [--json]
// --connect authenticates as the registrar with --keys DIR (registrar.key, coordinator.pub).
//   capturectl export anomalies|assignment|unassigned (--store DIR | --connect ENDPOINT) [--out FILE] [--open] [--station N]
//   capturectl export photos DIR (--store STORE | --connect ENDPOINT --image-store STORE) [--include-doubtful] [--json]
//   capturectl verify --store DIR [--verdicts-only] [--checkpoint FILE]… [--coordinator-key HEX_OR_FILE]
//   capturectl checkpoint (--store DIR | --connect ENDPOINT)
//   capturectl prove --student STUDENT_NO --store DIR [--out FILE]
//   capturectl check-proof FILE --coordinator-key HEX_OR_FILE [--student STUDENT_NO]
//   capturectl forms --class C (--store DIR | --connect ENDPOINT | --roster CSV [--schedule CSV]) [--date D] [--out FILE]
//   capturectl reconcile FORM.csv (--store DIR | --connect ENDPOINT) [--class C] [--json]
//
// Readable tables by default, --json for scripts. Exit codes: 0 all well, 1 findings, 2 usage,
// I/O or protocol errors; what counts as a finding is in each command's --help.
#include <string>

#include <CLI/CLI.hpp>

#include "common/utf8.h"
#include "coordinator/judge/export.h"
#include "tools/capturectl/commands.h"
#include "tools/capturectl/photo_export.h"

namespace {

using namespace capture::ctl;

// Every command's --help ends with what its exit codes mean.
std::string ExitCodes(const std::string& one) {
  return "Exit codes: 0 all well; 1 " + one + "; 2 usage, I/O or protocol error (message on stderr).";
}

// --connect and how to authenticate as the registrar; `required` for the commands that only talk.
CLI::Option* AddConnection(CLI::App* cmd, Connection& connection) {
  CLI::Option* connect = cmd->add_option("--connect", connection.endpoint, "A running coordinator's control address.");
  cmd->add_option("--keys", connection.keys_dir,
                  "With --connect: the folder holding registrar.key and coordinator.pub (the coordinator's store "
                  "folder, or a copy of those two files).")
      ->capture_default_str();
  cmd->add_option("--key", connection.key_file, "With --connect: the registrar's key file (default KEYS/registrar.key).");
  cmd->add_option("--coordinator-key", connection.coordinator_key,
                  "With --connect: the coordinator's public key, a file or 64 hex digits (default KEYS/coordinator.pub).");
  cmd->add_flag("--insecure", connection.insecure, "With --connect: plain text, for a coordinator run with --insecure.");
  return connect;
}

void AddSource(CLI::App* cmd, RecordSource& source) {
  cmd->add_option("--store", source.store_dir, "A stopped coordinator's store folder (read-only).");
  AddConnection(cmd, source.connection);
}

// `export` takes the options of all three exports; each refuses the others'.
int RunExportCommand(const ExportArgs& export_args, ExportPhotosArgs& photos_args) {
  if (export_args.what != "photos") {
    if (!photos_args.dir.empty() || !photos_args.image_store.empty() || photos_args.json ||
        photos_args.include_doubtful) {
      return Fail("export " + export_args.what + ": DIR, --image-store, --include-doubtful and --json go with export photos");
    }
    return RunExport(export_args);
  }
  if (!export_args.out.empty() || export_args.open_only || export_args.station != 0) {
    return Fail("export photos: --out, --open and --station go with the other exports; the photos go into DIR");
  }
  photos_args.source = export_args.source;
  return RunExportPhotos(photos_args);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"capturectl: the registrar's and the auditor's view of a capture day's record."};
  app.footer(
      "Exit codes: 0 all well; 1 findings (anomalies: an open WARNING or BLOCKER is listed; reconcile: the paper "
      "and the record disagree; verify: a stored verdict differs from the re-judged one, a station's event chain is "
      "broken, no head is signed or a signed head does not hold, or an image is missing or altered; resolve: no such "
      "open anomaly; close-day: closing the day raised anomalies; export photos: a photo is held back, or an "
      "assigned image is missing or altered; checkpoint: none signed yet; prove: no photo or no head covers it; check-proof: the proof does not "
      "hold); 2 usage, I/O or protocol errors. status, "
      "forms and the other exports never find: 0 or 2.\n"
      "--store reads a stopped coordinator's store read-only and judges its record again with the inputs stored "
      "in it; --connect asks a running coordinator on its control address. Both give the same exports. resolve, "
      "close-day and enroll need the registrar token (--token-file).");
  app.require_subcommand(1);
  app.fallthrough();  // --timeout-ms may follow the subcommand
  int timeout_ms = 5000;
  app.add_option("--timeout-ms", timeout_ms, "How long to wait for a coordinator's reply.")->capture_default_str();

  StatusArgs status_args;
  CLI::App* status_cmd = app.add_subcommand(
      "status", "A running coordinator's commit index, streams (stored and announced seq) and counters.");
  AddConnection(status_cmd, status_args.connection)->required();
  status_cmd->add_flag("--json", status_args.json, "One JSON object instead of the tables.");
  status_cmd->footer("Exit codes: 0 the coordinator answered; 2 usage, I/O or protocol error (no answer in time).");

  AnomaliesArgs anomalies_args;
  CLI::App* anomalies_cmd = app.add_subcommand("anomalies", "The judge's anomalies: a table, or JSON Lines.");
  AddSource(anomalies_cmd, anomalies_args.source);
  anomalies_cmd->add_flag("--open", anomalies_args.open_only, "Only the open ones.");
  anomalies_cmd->add_option("--station", anomalies_args.station, "Only this station's.");
  anomalies_cmd->add_flag("--json", anomalies_args.json, "JSON Lines in the order raised, as `export anomalies`.");
  anomalies_cmd->footer(
      "The table lists open before resolved anomalies, blockers first, then in the order raised: id, severity, "
      "state, kind, station, students (student numbers), shots, the time it was raised (the raising item's commit "
      "time; known from a --store only, '-' over --connect) and the operator's message.\n" +
      ExitCodes("an open WARNING or BLOCKER is listed"));

  ResolveArgs resolve_args;
  resolve_args.by = "registrar";
  CLI::App* resolve_cmd =
      app.add_subcommand("resolve", "Resolve an open anomaly; recorded with who and why, and judged.");
  resolve_cmd->add_option("id", resolve_args.id, "The anomaly's id, e.g. A3.")->required();
  resolve_cmd->add_option("--reason", resolve_args.reason, "Why it is resolved.")->required();
  resolve_cmd->add_option("--by", resolve_args.by, "Who resolves it.")->capture_default_str();
  AddConnection(resolve_cmd, resolve_args.connection)->required();
  resolve_cmd
      ->add_option("--token-file", resolve_args.token_file,
                   "The registrar token: the coordinator's <store>/registrar.token (a resolve without it is refused "
                   "and nothing is recorded).")
      ->required();
  resolve_cmd->footer(
      "An anomaly resolved already is not resolved again: the answer names who resolved it, when and why, and "
      "nothing is recorded.\n" +
      ExitCodes("the id names no open anomaly (an unknown id is recorded as UNKNOWN_ANOMALY; one resolved already "
                "records nothing)") +
      " A wrong registrar token exits 2 and says so.");

  CloseDayArgs close_day_args;
  close_day_args.by = "registrar";
  CLI::App* close_day_cmd = app.add_subcommand(
      "close-day", "Close the capture day at a station, or at every station: its classes move on, so each of their "
                   "students with neither a photo nor an absent mark is named (MISSING_STUDENT, NO_VALID_PHOTO).");
  close_day_cmd->add_option("--station", close_day_args.station, "Only this station (default: every station).");
  close_day_cmd->add_option("--by", close_day_args.by, "Who closes it.")->capture_default_str();
  AddConnection(close_day_cmd, close_day_args.connection)->required();
  close_day_cmd
      ->add_option("--token-file", close_day_args.token_file,
                   "The registrar token: the coordinator's <store>/registrar.token (without it nothing is recorded).")
      ->required();
  close_day_cmd->footer(
      "Recorded as a record item (who, which station) and judged. A photo taken afterwards still resolves what it "
      "raised. The coordinator also ends a station's day by itself once its clock passes the end of the station's "
      "last slot plus the late tolerance.\nPrints 'closed commit_index=K: …' naming the anomalies raised.\n" +
      ExitCodes("closing the day raised anomalies (students without a photo)"));

  EnrollArgs enroll_args;
  enroll_args.by = "registrar";
  CLI::App* enroll_cmd = app.add_subcommand(
      "enroll", "Enrol a station's key (e.g. a replaced laptop's; its old key is withdrawn), or revoke its key.");
  enroll_cmd->add_option("--station", enroll_args.station, "The station.")->required();
  enroll_cmd->add_option("--key", enroll_args.key,
                         "The station's new public key: 64 hex digits (station-agent --print-key), or a file holding them.");
  enroll_cmd->add_flag("--revoke", enroll_args.revoke, "Withdraw the station's key with no successor.");
  enroll_cmd->add_option("--by", enroll_args.by, "Who enrols it.")->capture_default_str();
  // --key is this command's: the registrar's key file comes from --keys DIR here.
  enroll_cmd->add_option("--connect", enroll_args.connection.endpoint, "The coordinator's control address.")->required();
  enroll_cmd->add_option("--keys", enroll_args.connection.keys_dir,
                         "The folder holding registrar.key and coordinator.pub.")
      ->capture_default_str();
  enroll_cmd->add_option("--coordinator-key", enroll_args.connection.coordinator_key,
                         "The coordinator's public key (default KEYS/coordinator.pub).");
  enroll_cmd->add_flag("--insecure", enroll_args.connection.insecure, "Plain text, for a coordinator run with --insecure.");
  enroll_cmd->add_option("--token-file", enroll_args.token_file, "The registrar token: the coordinator's <store>/registrar.token.")
      ->required();
  enroll_cmd->footer(
      "A station has one admitted key at a time; a key is enrolled once. The change is a record item (who, when, "
      "which key): `capturectl keys` lists them.\nExit codes: 0 recorded; 2 refused, usage, I/O or protocol error.");

  KeysArgs keys_args;
  CLI::App* keys_cmd = app.add_subcommand("keys", "Every key change of the record: which station key was valid when.");
  keys_cmd->add_option("--store", keys_args.store_dir, "A stopped coordinator's store folder (read-only).");
  AddConnection(keys_cmd, keys_args.connection);
  keys_cmd->add_flag("--json", keys_args.json, "JSON Lines, one object per change.");
  keys_cmd->footer("Exit codes: 0 listed; 2 usage, I/O or protocol error.");

  ExportArgs export_args;
  ExportPhotosArgs photos_args;
  CLI::App* export_cmd = app.add_subcommand(
      "export", "Print the anomalies (JSON Lines), the assignment or the unassigned shots (CSV), or write the photos "
                "into a folder.");
  export_cmd->add_option("what", export_args.what, "anomalies, assignment, unassigned or photos")
      ->required()
      ->check(CLI::IsMember({"anomalies", "assignment", "unassigned", "photos"}));
  export_cmd->add_option("dir", photos_args.dir, "Photos: the folder to write, new or empty.");
  AddSource(export_cmd, export_args.source);
  export_cmd->add_option("--out", export_args.out,
                         "Anomalies, assignment, unassigned: write to this file instead of stdout.");
  export_cmd->add_flag("--open", export_args.open_only, "Anomalies: only the open ones.");
  export_cmd->add_option("--station", export_args.station, "Anomalies: only this station's.");
  export_cmd->add_option("--image-store", photos_args.image_store,
                         "Photos: the folder holding images/ (a coordinator's --store folder); default --store's, "
                         "required with --connect.");
  export_cmd->add_flag("--json", photos_args.json, "Photos: the summary as one JSON object.");
  export_cmd->add_flag("--include-doubtful", photos_args.include_doubtful,
                       "Photos: export also the photos that open anomalies name (held back by default), and say so.");
  export_cmd->footer(
      "unassigned: every shot that is nobody's photo, CSV (UTF-8, header first, sorted by station then seq):\n  " +
      std::string(capture::judge::kUnassignedHeader) +
      "\nwith reason voided, superseded (a retake replaced it), unknown_code (taken under a code on no roster), "
      "no_code (no code read could own it) or held_back (a blocker keeps it from the student it is bound to, or "
      "from every student read while the station was stalled).\n"
      "photos DIR: the image the record assigns to each student, read from the image store "
      "(<folder>/images/<2 hex>/<64 hex>.jpg) with its SHA-256 checked again, copied to DIR/<registry_no>.jpg; and "
      "DIR/index.csv (UTF-8, header first, one row per roster student in student_no order):\n  " +
      std::string(kPhotoIndexHeader) +
      "\nas in the assignment export, except that status is held_back where an open WARNING or BLOCKER names the "
      "student or their photo (an uploaded photo cannot be replaced: resolve the anomalies, or give "
      "--include-doubtful), image_missing (the store lacks the assigned image) or image_altered (its bytes no longer "
      "hash to image_sha256) where no photo was exported; photo_file is the exported file's name, empty where none. "
      "Each held_back, image_missing or image_altered student is named on stderr (registry_no, student_no, station, "
      "shot, image_file, image_sha256, and the anomaly ids); stdout gets one summary line, or with --json "
      "{\"dir\":…,\"students\":S,\"exported\":N,\"doubtful_included\":D,\"held_back\":H,\"missing\":M,"
      "\"altered\":K}. DIR must be new or an "
      "empty folder; the export is assembled beside it (DIR.partial-<pid>), every file fsynced, and renamed to DIR "
      "once complete: DIR appears whole or not at all. A registry_no that cannot name a file (only ASCII letters, "
      "digits, '-', '_', '.'; not starting with '.' or '-'; at most 128) is refused before anything is written. "
      "Over --connect, an image still on its way from its station counts as image_missing: export again later.\n"
      "Exit codes: 0 exported (photos: every assigned image); 1 photos: a photo is held back, or an assigned image "
      "is missing or altered "
      "(DIR is written all the same); 2 usage, I/O or protocol error, an unsafe registry_no or a DIR that is not "
      "empty (nothing written).");

  VerifyArgs verify_args;
  CLI::App* verify_cmd = app.add_subcommand(
      "verify", "Judge the stored record again from scratch and compare every stored verdict byte for byte; recompute "
                "the record's Merkle tree and hold it against every signed head stored with it (and --checkpoint); "
                "then check that every image the record names is in the store's image folder, unaltered.");
  verify_cmd->add_option("--store", verify_args.store_dir, "A stopped coordinator's store folder.")->required();
  bool verdicts_only = false;
  verify_cmd->add_flag("--verdicts-only", verdicts_only,
                       "Skip the images: by default every image the record names must be in STORE/images and still hash "
                       "to its name (each distinct image is read and hashed once).");
  verify_cmd->add_option("--checkpoint", verify_args.checkpoints,
                         "A file holding a tree head kept outside the store (station-agent --print-checkpoint): the "
                         "record must extend it, its root being the record's root at its size. May be given once per "
                         "station: heads of several sizes narrow down where a record was changed.");
  verify_cmd->add_option("--coordinator-key", verify_args.coordinator_key,
                         "The coordinator's public key, a file or 64 hex digits, that every head must be signed with "
                         "(default STORE/coordinator.pub; an auditor gives the key the coordinator published).");
  verify_cmd->footer(
      "Output, one line each: 'verified items=N' or 'differs commit_index=K: why'; 'verified heads=H …' or one "
      "'differs head size=S time=T: why' per head that does not hold (a root names the range of leaves it covers: "
      "leaves 0-3 are the judge's inputs, leaf 3+K the item of commit index K); 'verified checkpoint …' or "
      "'differs checkpoint …'; 'verified chains …' or 'broken chain commit_index=K: why'; then the images. A store "
      "that a running coordinator holds is refused (exit 2): verify a stopped store.\n" +
      ExitCodes("a stored verdict differs from the re-judged one (the first is named), a station's event chain is "
                "broken, the store holds no signed head (a record made with --insecure) or a signed head does not "
                "hold, or an image the record names is missing or altered (each is named)"));

  FetchArgs fetch_args;
  CLI::App* fetch_cmd = app.add_subcommand(
      "fetch", "Copy a campus's record from NATS JetStream into a new store that verify, the exports and a re-judge "
               "read (docs/replication.md).");
  fetch_cmd->add_option("--nats", fetch_args.nats, "The servers' URLs, nats://HOST:PORT[,...].")->required();
  fetch_cmd->add_option("--campus", fetch_args.campus, "The campus id the coordinator replicates as.")->required();
  fetch_cmd->add_option("--store", fetch_args.store_dir, "A new folder for the store.")->required();
  auto* auditor_secret = fetch_cmd->add_option("--auditor-secret", fetch_args.auditor_secret,
                                               "The auditors' key file (capture-sim kit writes auditor.key): opens the "
                                               "roster, which is replicated sealed to the auditors.");
  fetch_cmd->add_option("--roster", fetch_args.roster,
                        "Instead of --auditor-secret: the registrar's roster file, which must be the record's.")
      ->excludes(auditor_secret);
  fetch_cmd->add_option("--nats-creds", fetch_args.creds_file, "A NATS credentials file.");
  fetch_cmd->add_option("--nats-tls-ca", fetch_args.tls_ca_file, "CA certificates for the servers' TLS certificates.");
  fetch_cmd->footer("Output: 'fetched campus=ID record=HEX items=N messages=M heads=H heads_beyond=B store=DIR'. The "
                    "store holds no images (verify it with --verdicts-only) and no station heads.\n"
                    "Exit codes: 0 fetched; 2 usage, NATS or I/O error, or a stream whose bytes are not a coordinator's "
                    "record (the message is named).");

  RecordSource checkpoint_source;
  CLI::App* checkpoint_cmd = app.add_subcommand(
      "checkpoint", "Print the coordinator's newest signed tree head (a checkpoint line, docs/record-proofs.md).");
  AddSource(checkpoint_cmd, checkpoint_source);
  checkpoint_cmd->footer("Exit codes: 0 printed; 1 no head is signed yet (none is, with --insecure); 2 usage, I/O or "
                         "protocol error.");

  ProveArgs prove_args;
  CLI::App* prove_cmd = app.add_subcommand(
      "prove", "Write the proof of a student's photo: the record's leaves that decide it (their roster row, code read, "
               "shot, marks and bindings), each with its inclusion path to the newest signed head.");
  prove_cmd->add_option("--student", prove_args.student_no, "The student's student number.")->required();
  prove_cmd->add_option("--store", prove_args.store_dir, "A stopped coordinator's store folder.")->required();
  prove_cmd->add_option("--out", prove_args.out, "Write the proof (JSON) to this file instead of stdout.");
  prove_cmd->footer("The proof file's format is in docs/record-proofs.md; capturectl check-proof checks it without "
                    "the store.\n" + ExitCodes("the record gives the student no photo, or no signed head covers it yet"));

  CheckProofArgs check_proof_args;
  CLI::App* check_proof_cmd = app.add_subcommand(
      "check-proof", "Check a proof file offline against the coordinator's key and print the student's photo.");
  check_proof_cmd->add_option("file", check_proof_args.file, "The proof file (capturectl prove).")->required();
  check_proof_cmd
      ->add_option("--coordinator-key", check_proof_args.coordinator_key,
                   "The coordinator's public key, a file (its coordinator.pub) or 64 hex digits.")
      ->required();
  check_proof_cmd->add_option("--student", check_proof_args.student_no,
                              "The student number the proof must be about.");
  check_proof_cmd->footer(
      "Prints 'proven student_no=… registry_no=… station=… shot=… image_file=… image_sha256=… commit_index=…' or "
      "'invalid proof FILE: why'.\n" + ExitCodes("the proof does not hold (any hash, index, size, signature or key "
                                                  "changed, or it is about another student)"));

  FormsArgs forms_args;
  CLI::App* forms_cmd =
      app.add_subcommand("forms", "The printable registration form (登记表) of a class, as one HTML page.");
  forms_cmd->add_option("--class", forms_args.class_name, "The class, as on the roster.")->required();
  forms_cmd->add_option("--store", forms_args.source.store_dir,
                        "A stopped coordinator's store: roster, schedule, record.");
  AddConnection(forms_cmd, forms_args.source.connection);
  forms_cmd->add_option("--roster", forms_args.roster_path, "Or the roster CSV alone: the blank form before the day.");
  forms_cmd->add_option("--schedule", forms_args.schedule_path, "With --roster: the schedule, for station and slot.");
  forms_cmd->add_option("--date", forms_args.date, "The date printed in the header (default: the store's day).");
  forms_cmd->add_option("--out", forms_args.out, "Write the HTML to this file instead of stdout.");
  forms_cmd->footer(
      "One self-contained HTML page with an A4 print stylesheet (no scripts, no external assets): college, class "
      "and date on every page; 序号, student number, name, shot number and signature, in student-number order. "
      "The shot numbers come from the record once it holds a photo of the class (absent students: 缺席); that "
      "copy is headed 核对副本 / comparison copy and has no signature column: it is set beside the signed paper "
      "one. Before that, or with --roster, the column is blank. Print it from a browser, or: chromium --headless "
      "--no-pdf-header-footer --print-to-pdf=FORM.pdf file:///path/FORM.html\n"
      "Exit codes: 0 written; 2 usage or I/O error, or no roster student in the class.");

  ReconcileArgs reconcile_args;
  CLI::App* reconcile_cmd = app.add_subcommand(
      "reconcile", "Compare the shot numbers on the signed paper forms with the record's assignment.");
  reconcile_cmd->add_option("form", reconcile_args.form_path, "The transcribed form, FORM.csv.")->required();
  AddSource(reconcile_cmd, reconcile_args.source);
  reconcile_cmd->add_option("--class", reconcile_args.class_name,
                            "The form's class: its students missing from the paper, and others on it, are listed.");
  reconcile_cmd->add_flag("--json", reconcile_args.json, "JSON Lines, one object per finding.");
  reconcile_cmd->footer(
      "FORM.csv is transcribed from the signed paper: header student_no,shot_number, one line per student, the "
      "shot number as written (empty where none is written). Lists every student whose paper and record "
      "disagree (with the record's station and file), students on the paper but on no roster, and roster "
      "students of the form's classes (or of --class) missing from it.\n" +
      ExitCodes("the paper and the record disagree somewhere") + " A malformed FORM.csv is an error naming its line.");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kExitOk : kExitError;
  }
  for (Connection* connection : {&anomalies_args.source.connection, &export_args.source.connection,
                                 &checkpoint_source.connection,
                                 &reconcile_args.source.connection, &status_args.connection, &resolve_args.connection,
                                 &close_day_args.connection, &enroll_args.connection, &keys_args.connection,
                                 &forms_args.source.connection}) {
    connection->timeout_ms = timeout_ms;
  }

  // Text that goes into the record must be UTF-8 (a terminal set to a legacy encoding gives other bytes).
  for (const auto& [flag, text] : {std::pair<const char*, const std::string*>{"--reason", &resolve_args.reason},
                                   {"--by", &resolve_args.by}, {"--by", &close_day_args.by}, {"--by", &enroll_args.by}}) {
    if (!capture::IsValidUtf8(*text)) {
      return Fail(std::string(flag) + " is not UTF-8 text: set the terminal to UTF-8 and type it again");
    }
  }

  if (*status_cmd) return RunStatus(status_args);
  if (*anomalies_cmd) return RunAnomalies(anomalies_args);
  if (*resolve_cmd) return RunResolve(resolve_args);
  if (*close_day_cmd) return RunCloseDay(close_day_args);
  if (*enroll_cmd) return RunEnroll(enroll_args);
  if (*keys_cmd) return RunKeys(keys_args);
  if (*export_cmd) return RunExportCommand(export_args, photos_args);
  if (*verify_cmd) {
    verify_args.check_images = !verdicts_only;
    return RunVerify(verify_args);
  }
  if (*checkpoint_cmd) return RunCheckpoint(checkpoint_source);
  if (*fetch_cmd) return RunFetch(fetch_args);
  if (*prove_cmd) return RunProve(prove_args);
  if (*check_proof_cmd) return RunCheckProof(check_proof_args);
  if (*forms_cmd) return RunForms(forms_args);
  return RunReconcile(reconcile_args);
}
