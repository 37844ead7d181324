#include "coordinator/proof/record_proof.h"

#include <sodium.h>

#include <algorithm>
#include <map>
#include <set>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/csv.h"
#include "common/merkle.h"
#include "common/schedule.h"
#include "coordinator/proof/record_leaves.h"

namespace capture::coord {

namespace {

using nlohmann::json;

constexpr char kFormat[] = "capture-photo-proof-v1";

// ---- what decides a student's photo: shared by prove and check, so both see the same ----

// An image as bindings name it (proto/capture.proto, Binding).
struct Image {
  uint32_t station = 0;
  std::string file_name;
  std::string sha256;  // 32 bytes
  bool Is(const wire::Binding& b) const {
    return b.station() == station && b.file_name() == file_name && b.sha256() == sha256;
  }
};

// The bindings of every image the student was ever bound to, read in commit order: the last one
// of each image is its state.
class BindingStory {
 public:
  explicit BindingStory(std::string registry_no) : registry_no_(std::move(registry_no)) {}

  // The next item's verdict: true when it binds an image the student was ever bound to (this one
  // included). Compares in place: it runs once per record item.
  bool See(const wire::Verdict& verdict, uint64_t commit_index) {
    bool concerns = false;
    for (const wire::Binding& b : verdict.bindings()) {
      auto it = std::find_if(images_.begin(), images_.end(), [&](const Last& last) { return last.image.Is(b); });
      if (it == images_.end()) {
        if (b.registry_no() != registry_no_) continue;
        it = images_.insert(images_.end(), Last{{b.station(), b.file_name(), b.sha256()}, {}, 0});
      }
      it->binding = b;
      it->commit_index = commit_index;
      concerns = true;
    }
    return concerns;
  }

  struct Last {
    Image image;
    wire::Binding binding;      // its last binding
    uint64_t commit_index = 0;  // of the item whose verdict holds it
  };
  // The student's photo: the one image whose last binding assigns it to them. NotFound for none,
  // Corruption for more than one.
  Result<Last> Photo() const {
    std::vector<const Last*> assigned;
    for (const Last& last : images_) {
      if (last.binding.state() == wire::Binding::ASSIGNED && last.binding.registry_no() == registry_no_) {
        assigned.push_back(&last);
      }
    }
    if (assigned.empty()) {
      return Status::NotFound("no image's last binding assigns it to registry number " + registry_no_);
    }
    if (assigned.size() > 1) {
      return Status::Corruption(std::to_string(assigned.size()) + " images' last bindings assign them to registry number " +
                                registry_no_ + ": " + assigned[0]->image.file_name + " and " +
                                assigned[1]->image.file_name);
    }
    return *assigned[0];
  }

 private:
  std::string registry_no_;
  std::vector<Last> images_;  // the student's images: a few
};

// What an event is to the student whose photo is `photo`, besides binding it.
std::vector<std::string> EventRoles(const wire::CaptureEvent& event, const std::string& student_no,
                                    const std::string& registry_no, const Image& photo) {
  std::vector<std::string> roles;
  switch (event.kind()) {
    case wire::CODE_READ:
      if (event.code().registry_no() == registry_no) roles.push_back("code_read");
      break;
    case wire::SHOT_TAKEN:
      if (event.station() == photo.station && event.shot().file_name() == photo.file_name &&
          event.shot().sha256() == photo.sha256) {
        roles.push_back("shot");
      }
      break;
    case wire::MARK_RETAKE:
      if (event.code().registry_no() == registry_no) roles.push_back("mark");
      break;
    case wire::MARK_ABSENT:
      if (event.student_no() == student_no) roles.push_back("mark");
      break;
    case wire::MARK_VOID:
      if (event.station() == photo.station && event.shot().file_name() == photo.file_name) roles.push_back("mark");
      break;
    default: break;
  }
  return roles;
}

std::vector<std::string> ItemRoles(const wire::RecordItem& item, bool binds, const std::string& student_no,
                                   const std::string& registry_no, const Image& photo) {
  std::vector<std::string> roles;
  wire::CaptureEvent event;
  if (item.has_event() && event.ParseFromString(item.event())) roles = EventRoles(event, student_no, registry_no, photo);
  if (binds) roles.push_back("binding");
  return roles;
}

// The roster row of `student_no` in a roster record, if it is one.
std::optional<CsvRow> StudentRow(std::string_view record, const std::string& student_no) {
  auto rows = ParseCsv(record, "roster record");
  if (!rows.ok() || rows->size() != 1 || (*rows)[0].size() != 6 || (*rows)[0][0] != student_no) return std::nullopt;
  if (CsvLine((*rows)[0]) == std::string(kRosterHeader) + "\n") return std::nullopt;
  return std::move((*rows)[0]);
}

// ---- encodings ----

std::string Base64(std::string_view bytes) {
  EnsureSodium();
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  out.pop_back();  // the terminating NUL sodium writes
  return out;
}

std::optional<std::string> FromBase64(std::string_view text) {
  EnsureSodium();
  std::string out(text.size(), '\0');
  size_t length = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(), text.size(), nullptr,
                        &length, &end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != text.data() + text.size()) {
    return std::nullopt;
  }
  out.resize(length);
  return out;
}

json PathJson(const std::vector<Sha256>& path) {
  json out = json::array();
  for (const Sha256& hash : path) out.push_back(ToHex(hash));
  return out;
}

// ---- prove ----

// Every leaf of a stored record in order, for the proof functions (which read each leaf once, in
// order); also grows the tree, so that the root the paths lead to is known to be the head's.
class StoredLeafSource {
 public:
  StoredLeafSource(const RecordStore& store, const StoredJudgeInputs& inputs) : cursor_(store.ReadItems()) {
    for (const std::string& leaf : InputLeaves(inputs)) inputs_.push_back(LeafHash(leaf));
  }
  Result<Sha256> Hash(uint64_t index) {
    if (index != tree_.size()) {
      return Status::InvalidArgument("leaf " + std::to_string(index) + " asked for out of order");
    }
    Sha256 hash;
    if (index < kInputLeaves) {
      hash = inputs_[index];
    } else {
      auto next = cursor_->Next();
      if (!next.ok()) return next.status();
      if (!*next) return Status::Corruption("the record ends before leaf " + std::to_string(index));
      hash = ItemLeafHash(cursor_->item_bytes(), cursor_->verdict_bytes());
    }
    tree_.Append(hash);
    return hash;
  }
  Sha256 Root() const { return tree_.Root(); }

 private:
  std::unique_ptr<RecordStore::Cursor> cursor_;
  std::vector<Sha256> inputs_;
  MerkleFrontier tree_;
};

struct ProofLeaf {
  uint64_t index = 0;
  std::string bytes;
  std::vector<std::string> roles;
  std::optional<uint64_t> commit_index;
};

}  // namespace

Result<std::string> ProveStudent(const RecordStore& store, std::string_view student_no_view) {
  const std::string student_no(student_no_view);
  auto inputs = store.ReadStoredJudgeInputs();
  if (!inputs.ok()) return inputs.status();
  auto head_line = store.NewestCheckpoint();
  if (!head_line.ok()) {
    if (head_line.status().code() != Status::Code::kNotFound) return head_line.status();
    return Status::InvalidArgument("the store holds no signed tree head (a coordinator run with --insecure signs "
                                   "none): there is nothing a proof could lead to");
  }
  auto head = ParseCheckpoint(*head_line);
  if (!head.ok()) return Status::Corruption("the store's newest signed head does not parse: " + head.status().message());

  // The student's roster record: their registry number, and its place in the roster's tree.
  std::optional<uint64_t> record_index;
  std::string record;
  std::string registry_no;
  uint64_t records = 0;
  for (size_t pos = 0; const auto next = NextCsvRecord(inputs->roster_csv, &pos); ++records) {
    if (record_index) continue;
    if (auto row = StudentRow(*next, student_no)) {
      record_index = records;
      record = std::string(*next);
      registry_no = (*row)[1];
    }
  }
  if (!record_index) return Status::NotFound("student " + student_no + " is on no roster row of the stored roster");

  // Pass 1: the binding's story, and the student's code reads and marks.
  BindingStory story(registry_no);
  std::map<uint64_t, ProofLeaf> chosen;  // by commit index
  struct CodeRead {
    uint64_t commit_index;
    uint32_t station;
    std::string leaf;
  };
  std::vector<CodeRead> code_reads;
  wire::Verdict verdict;     // their room is reused
  wire::CaptureEvent event;
  Status read = store.ForEachStoredItem([&](const wire::RecordItem& item, std::string_view item_bytes,
                                            std::string_view verdict_bytes) {
    const uint64_t ci = item.commit_index();
    if (!verdict.ParseFromArray(verdict_bytes.data(), static_cast<int>(verdict_bytes.size()))) verdict.Clear();
    bool keep = story.See(verdict, ci);
    if (item.has_event() && event.ParseFromString(item.event())) {
      if (event.kind() == wire::CODE_READ && event.code().registry_no() == registry_no) {
        code_reads.push_back({ci, event.station(), ItemLeafBytes(item_bytes, verdict_bytes)});
      }
      keep = keep || (event.kind() == wire::MARK_RETAKE && event.code().registry_no() == registry_no) ||
             (event.kind() == wire::MARK_ABSENT && event.student_no() == student_no);
    }
    if (keep) chosen[ci].bytes = ItemLeafBytes(item_bytes, verdict_bytes);
    return true;
  });
  if (!read.ok()) return read;
  auto photo = story.Photo();
  if (!photo.ok()) {
    return Status(photo.status().code() == Status::Code::kNotFound
                      ? Status::NotFound("the record gives student " + student_no + " no photo: " + photo.status().message())
                      : photo.status());
  }

  // Pass 2, up to the photo's last binding: the photo's shot events and the voids naming it.
  uint64_t shot_index = 0;
  read = store.ForEachStoredItem([&](const wire::RecordItem& item, std::string_view item_bytes,
                                     std::string_view verdict_bytes) {
    if (item.commit_index() > photo->commit_index) return false;
    if (!item.has_event() || !event.ParseFromString(item.event())) return true;
    const bool shot = !EventRoles(event, student_no, registry_no, photo->image).empty() &&
                      (event.kind() == wire::SHOT_TAKEN || event.kind() == wire::MARK_VOID);
    if (shot) chosen[item.commit_index()].bytes = ItemLeafBytes(item_bytes, verdict_bytes);
    if (shot && event.kind() == wire::SHOT_TAKEN) shot_index = item.commit_index();
    return true;
  });
  if (!read.ok()) return read;
  if (shot_index == 0) {
    return Status::Corruption("the record binds " + photo->image.file_name + " to student " + student_no +
                              " but holds no SHOT_TAKEN event of it up to commit index " +
                              std::to_string(photo->commit_index));
  }
  // The code read the shot was bound to: the student's last at that station before it.
  for (auto it = code_reads.rbegin(); it != code_reads.rend(); ++it) {
    if (it->station == photo->image.station && it->commit_index < shot_index) {
      chosen[it->commit_index].bytes = std::move(it->leaf);
      break;
    }
  }
  const uint64_t last_index = ItemLeafIndex(chosen.rbegin()->first);
  if (last_index >= head->size) {
    return Status::InvalidArgument("the newest signed head (size " + std::to_string(head->size) +
                                   ") does not cover commit index " + std::to_string(chosen.rbegin()->first) +
                                   " yet: start the coordinator again and stop it, and it signs one that does");
  }

  // The roles, as a checker finds them: the story replayed over the chosen items alone is the
  // whole record's, since no other item binds an image of the student's.
  std::vector<ProofLeaf> leaves;
  leaves.push_back({static_cast<uint64_t>(InputLeaf::kRoster), InputLeaves(*inputs)[1], {"roster"}, std::nullopt});
  BindingStory replay(registry_no);
  for (auto& [ci, leaf] : chosen) {
    auto parsed = ParseItemLeaf(leaf.bytes);
    wire::RecordItem item;
    if (!parsed.ok() || !item.ParseFromArray(parsed->item.data(), static_cast<int>(parsed->item.size())) ||
        !verdict.ParseFromArray(parsed->verdict.data(), static_cast<int>(parsed->verdict.size()))) {
      return Status::Corruption("record item " + std::to_string(ci) + " does not parse again");
    }
    leaf.index = ItemLeafIndex(ci);
    leaf.commit_index = ci;
    leaf.roles = ItemRoles(item, replay.See(verdict, ci), student_no, registry_no, photo->image);
    leaves.push_back(std::move(leaf));
  }

  // Pass 3: every path, in one pass over the tree of the head's size.
  std::vector<uint64_t> indices;
  for (const ProofLeaf& leaf : leaves) indices.push_back(leaf.index);
  StoredLeafSource source(store, *inputs);
  auto paths = InclusionProofs(indices, head->size, [&](uint64_t index) { return source.Hash(index); });
  if (!paths.ok()) return paths.status();
  if (source.Root() != head->root) {
    return Status::Corruption("the store no longer leads to its newest signed head (size " + std::to_string(head->size) +
                              "): its first leaves' root is " + ToHex(source.Root()) + ", the head's " +
                              ToHex(head->root) + " (capturectl verify --store tells more)");
  }
  std::vector<Sha256> record_path;
  {
    size_t pos = 0;
    auto roster_paths = InclusionProofs({*record_index}, records, [&](uint64_t) -> Result<Sha256> {
      return RosterRecordHash(*NextCsvRecord(inputs->roster_csv, &pos));
    });
    if (!roster_paths.ok()) return roster_paths.status();
    record_path = std::move((*roster_paths)[0]);
  }

  json out;
  out["format"] = kFormat;
  out["student_no"] = student_no;
  out["binding"] = {{"registry_no", registry_no},
                    {"station", photo->image.station},
                    {"shot", photo->binding.shot_number()},
                    {"image_file", photo->image.file_name},
                    {"image_sha256", ToHex(photo->image.sha256)},
                    {"commit_index", photo->commit_index}};
  out["checkpoint"] = *head_line;
  out["tree_size"] = head->size;
  out["roster_record"] = {
      {"index", *record_index}, {"records", records}, {"bytes", Base64(record)}, {"path", PathJson(record_path)}};
  json& list = out["leaves"] = json::array();
  for (size_t i = 0; i < leaves.size(); ++i) {
    json leaf = {{"index", leaves[i].index}};
    if (leaves[i].commit_index) leaf["commit_index"] = *leaves[i].commit_index;
    leaf["roles"] = leaves[i].roles;
    leaf["bytes"] = Base64(leaves[i].bytes);
    leaf["path"] = PathJson((*paths)[i]);
    list.push_back(std::move(leaf));
  }
  return out.dump(2) + "\n";
}

namespace {

// Field readers for the proof file: a missing field or one of another type is a clear finding,
// never a JSON exception.
Status Bad(const std::string& what) { return Status::Corruption("the proof file " + what); }

Result<const json*> Member(const json& object, const char* name, const std::string& where) {
  if (!object.is_object() || !object.contains(name)) return Bad("lacks " + where + name);
  return &object.at(name);
}
Result<std::string> StringField(const json& object, const char* name, const std::string& where = "") {
  auto member = Member(object, name, where);
  if (!member.ok()) return member.status();
  if (!(*member)->is_string()) return Bad("has " + where + name + " that is not a string");
  return (*member)->get<std::string>();
}
Result<uint64_t> NumberField(const json& object, const char* name, const std::string& where = "") {
  auto member = Member(object, name, where);
  if (!member.ok()) return member.status();
  if (!(*member)->is_number_unsigned()) return Bad("has " + where + name + " that is not a whole number");
  return (*member)->get<uint64_t>();
}
Result<std::string> BytesField(const json& object, const char* name, const std::string& where) {
  auto text = StringField(object, name, where);
  if (!text.ok()) return text.status();
  auto bytes = FromBase64(*text);
  if (!bytes) return Bad("has " + where + name + " that is not base64");
  return *bytes;
}
Result<std::vector<Sha256>> PathField(const json& object, const std::string& where) {
  auto member = Member(object, "path", where);
  if (!member.ok()) return member.status();
  if (!(*member)->is_array()) return Bad("has " + where + "path that is not a list");
  std::vector<Sha256> path;
  for (const json& hash : **member) {
    const std::optional<Sha256> h = hash.is_string() ? Sha256FromHex(hash.get<std::string>()) : std::nullopt;
    if (!h) return Bad("has a hash in " + where + "path that is not 64 hex digits");
    path.push_back(*h);
  }
  return path;
}

}  // namespace

Result<CheckedProof> CheckStudentProof(std::string_view proof_json, const PublicKey& coordinator_key,
                                       const std::optional<std::string>& expected_student) {
  const json proof = json::parse(proof_json, nullptr, /*allow_exceptions=*/false);
  if (proof.is_discarded() || !proof.is_object()) return Bad("is not a JSON object");
  auto format = StringField(proof, "format");
  if (!format.ok()) return format.status();
  if (*format != kFormat) return Bad("is of format \"" + *format + "\", not " + kFormat);
  auto student_no = StringField(proof, "student_no");
  if (!student_no.ok()) return student_no.status();
  if (expected_student && *student_no != *expected_student) {
    return Status::Corruption("the proof is about student " + *student_no + ", not " + *expected_student);
  }

  // The head: the coordinator's, and the size every path is checked under.
  auto line = StringField(proof, "checkpoint");
  if (!line.ok()) return line.status();
  auto head = ParseCheckpoint(*line);
  if (!head.ok()) return Bad("has a checkpoint that does not parse: " + head.status().message());
  if (Status s = VerifyCheckpointSignature(*head, coordinator_key); !s.ok()) {
    return Status::Corruption("the proof's checkpoint is not the coordinator's: " + s.message());
  }
  auto tree_size = NumberField(proof, "tree_size");
  if (!tree_size.ok()) return tree_size.status();
  if (*tree_size != head->size) {
    return Status::Corruption("the proof says the tree has " + std::to_string(*tree_size) +
                              " leaves, its checkpoint " + std::to_string(head->size));
  }

  // Each leaf: its path leads to the head's root at its index, and it is what its index says.
  auto list = Member(proof, "leaves", "");
  if (!list.ok()) return list.status();
  if (!(*list)->is_array()) return Bad("has leaves that are not a list");
  struct Item {
    uint64_t commit_index;
    wire::RecordItem item;
    wire::Verdict verdict;
    std::vector<std::string> roles;  // as the proof states them
  };
  std::map<uint64_t, Item> items;  // by commit index
  std::optional<RosterCommitment> roster;
  std::set<uint64_t> seen;
  for (const json& leaf : **list) {
    auto index = NumberField(leaf, "index", "a leaf's ");
    if (!index.ok()) return index.status();
    const std::string where = "leaf " + std::to_string(*index) + "'s ";
    if (!seen.insert(*index).second) return Bad("has leaf " + std::to_string(*index) + " twice");
    auto bytes = BytesField(leaf, "bytes", where);
    if (!bytes.ok()) return bytes.status();
    auto path = PathField(leaf, where);
    if (!path.ok()) return path.status();
    if (Status s = VerifyInclusion(*index, head->size, LeafHash(*bytes), *path, head->root); !s.ok()) {
      return Status::Corruption("leaf " + std::to_string(*index) + " is not in the signed record: " + s.message());
    }
    auto roles = Member(leaf, "roles", where);
    if (!roles.ok()) return roles.status();
    if (!(*roles)->is_array() || !std::all_of((*roles)->begin(), (*roles)->end(), [](const json& r) { return r.is_string(); })) {
      return Bad("has " + where + "roles that are not a list of words");
    }
    std::vector<std::string> stated_roles = (*roles)->get<std::vector<std::string>>();
    if (*index < kInputLeaves) {
      auto input = ParseInputLeaf(*bytes);
      if (!input.ok() || static_cast<uint64_t>(input->kind) != *index) {
        return Status::Corruption("leaf " + std::to_string(*index) + " is not the input its index holds");
      }
      if (input->kind != InputLeaf::kRoster) continue;
      if (stated_roles != std::vector<std::string>{"roster"}) return Bad("gives the roster leaf roles other than roster");
      auto commitment = ParseRosterCommitment(input->content);
      if (!commitment.ok()) return Status::Corruption("the roster leaf: " + commitment.status().message());
      roster = *commitment;
      continue;
    }
    auto parts = ParseItemLeaf(*bytes);
    Item item;
    if (!parts.ok() || !item.item.ParseFromArray(parts->item.data(), static_cast<int>(parts->item.size())) ||
        !item.verdict.ParseFromArray(parts->verdict.data(), static_cast<int>(parts->verdict.size()))) {
      return Status::Corruption("leaf " + std::to_string(*index) + " is not a record item with its verdict");
    }
    item.commit_index = item.item.commit_index();
    if (ItemLeafIndex(item.commit_index) != *index) {
      return Status::Corruption("leaf " + std::to_string(*index) + " holds the item of commit index " +
                                std::to_string(item.commit_index) + ", whose leaf is " +
                                std::to_string(ItemLeafIndex(item.commit_index)));
    }
    auto stated_commit = NumberField(leaf, "commit_index", where);
    if (!stated_commit.ok()) return stated_commit.status();
    if (*stated_commit != item.commit_index) {
      return Status::Corruption("leaf " + std::to_string(*index) + " says commit index " + std::to_string(*stated_commit) +
                                " but holds " + std::to_string(item.commit_index));
    }
    item.roles = std::move(stated_roles);
    items.emplace(item.commit_index, std::move(item));
  }

  // The student's row, in the roster the head covers: their registry number.
  if (!roster) return Bad("lacks the roster leaf (leaf 1)");
  auto record_json = Member(proof, "roster_record", "");
  if (!record_json.ok()) return record_json.status();
  auto record_index = NumberField(**record_json, "index", "roster_record's ");
  if (!record_index.ok()) return record_index.status();
  auto records = NumberField(**record_json, "records", "roster_record's ");
  if (!records.ok()) return records.status();
  if (*records != roster->records) {
    return Status::Corruption("the proof says the roster has " + std::to_string(*records) +
                              " records, the roster leaf " + std::to_string(roster->records));
  }
  auto record = BytesField(**record_json, "bytes", "roster_record's ");
  if (!record.ok()) return record.status();
  auto record_path = PathField(**record_json, "roster_record's ");
  if (!record_path.ok()) return record_path.status();
  if (Status s = VerifyInclusion(*record_index, roster->records, RosterRecordHash(*record), *record_path, roster->root);
      !s.ok()) {
    return Status::Corruption("the roster record is not in the signed roster: " + s.message());
  }
  const std::optional<CsvRow> row = StudentRow(*record, *student_no);
  if (!row) return Status::Corruption("the roster record is not the row of student " + *student_no);
  const std::string registry_no = (*row)[1];

  // The photo: the one image the leaves' bindings leave assigned to the student.
  BindingStory story(registry_no);
  std::map<uint64_t, bool> binds;
  for (const auto& [ci, item] : items) binds[ci] = story.See(item.verdict, ci);
  auto photo = story.Photo();
  if (!photo.ok()) return Status::Corruption("the proof's leaves assign no photo to student " + *student_no + ": " +
                                             photo.status().message());
  bool has_shot = false;
  for (const auto& [ci, item] : items) {
    const std::vector<std::string> roles = ItemRoles(item.item, binds[ci], *student_no, registry_no, photo->image);
    if (roles.empty()) {
      return Status::Corruption("leaf " + std::to_string(ItemLeafIndex(ci)) + " (commit index " + std::to_string(ci) +
                                ") has nothing to do with student " + *student_no);
    }
    if (roles != item.roles) {
      return Status::Corruption("leaf " + std::to_string(ItemLeafIndex(ci)) + " is stated to be " +
                                json(item.roles).dump() + " but is " + json(roles).dump());
    }
    has_shot = has_shot || std::find(roles.begin(), roles.end(), "shot") != roles.end();
  }
  if (!has_shot) return Bad("lacks the SHOT_TAKEN event of " + photo->image.file_name);

  CheckedProof checked;
  checked.photo = {*student_no,
                   registry_no,
                   photo->image.station,
                   photo->binding.shot_number(),
                   photo->image.file_name,
                   ToHex(photo->image.sha256),
                   photo->commit_index};
  checked.head = *head;
  checked.leaves = seen.size();
  // The summary must say what the leaves say.
  auto binding = Member(proof, "binding", "");
  if (!binding.ok()) return binding.status();
  const json derived = {{"registry_no", checked.photo.registry_no}, {"station", checked.photo.station},
                        {"shot", checked.photo.shot_number},       {"image_file", checked.photo.image_file},
                        {"image_sha256", checked.photo.image_sha256}, {"commit_index", checked.photo.commit_index}};
  if (**binding != derived) {
    return Status::Corruption("the proof's binding " + (*binding)->dump() + " is not what its leaves show: " + derived.dump());
  }
  return checked;
}

}  // namespace capture::coord
