// The leaf parsers of the record's tree (coordinator/proof/record_leaves.h) that read a proof file's
// leaves: ParseInputLeaf with ParseRosterCommitment, and ParseItemLeaf; and NextCsvRecord, which cuts
// a roster into the records of its tree. Each is fed the whole input.
#include "common/merkle.h"
#include "coordinator/proof/record_leaves.h"
#include "tests/fuzz/fuzz_support.h"

namespace coord = capture::coord;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes = capture::fuzz::Bytes(data, size);

  if (auto input = coord::ParseInputLeaf(bytes); input.ok()) {
    FUZZ_CHECK(coord::InputLeafName(input->kind) != "unknown");
    FUZZ_CHECK(bytes.ends_with(input->content) && input->content.size() < bytes.size());
    if (input->kind == coord::InputLeaf::kRoster) {
      auto commitment = coord::ParseRosterCommitment(input->content);
      FUZZ_CHECK(commitment.ok() == (input->content.size() == 40));
    }
  }

  if (auto item = coord::ParseItemLeaf(bytes); item.ok()) {
    // The two parts fill the leaf exactly: writing them again gives the leaf, hashed alike.
    FUZZ_CHECK(coord::ItemLeafBytes(item->item, item->verdict) == bytes);
    FUZZ_CHECK(coord::ItemLeafHash(item->item, item->verdict) == capture::LeafHash(bytes));
  }

  // The records together are the roster byte for byte, none of them empty, each but the last ended
  // by a line feed.
  size_t pos = 0, covered = 0;
  while (const auto record = coord::NextCsvRecord(bytes, &pos)) {
    FUZZ_CHECK(!record->empty() && record->data() == bytes.data() + covered && pos == covered + record->size());
    FUZZ_CHECK(pos == size || record->back() == '\n');
    covered = pos;
    (void)coord::RosterRecordHash(*record);
  }
  FUZZ_CHECK(covered == size);
  return 0;
}
