// The auditor's check of the stations' chains in a stored record: every stored event links to the
// one stored before it in its stream (CaptureEvent.prev_sha256), and every signed chain head kept
// beside the record (RecordStore::ForEachStationHead) is signed by a key enrolled for its station
// and names the hash of the stored event it points at. An event invented, dropped or changed by
// whoever could write the store breaks a link or contradicts a head the station signed; a store
// writer who also rewrites every link and deletes the heads is caught by the record's tree against
// a head a station kept (capturectl verify --checkpoint).
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"
#include "coordinator/record_store.h"
#include "coordinator/security/enrolment.h"

namespace capture::coord {

struct ChainAudit {
  uint64_t events = 0;     // stored events checked
  uint64_t heads = 0;      // signed heads checked
  uint64_t uncovered = 0;  // events after the newest signed head of their stream
  bool ok = true;
  uint64_t first_failure = 0;  // commit index of the first event that fails (0: a head or the store)
  std::string failure;         // why, one line
};

// Errors only when the store cannot be read. `enrolment`: the record's (audit.h StoredEnrolment).
Result<ChainAudit> AuditChains(const RecordStore& store, const Enrolment& enrolment);

}  // namespace capture::coord
