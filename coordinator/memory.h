// The coordinator's memory budget is per roster student, so memory freed once the judge is built
// (the parsed roster, the files' bytes) goes back to the system instead of waiting in the allocator.
#pragma once

namespace capture::coord {

// Returns the allocator's freed pages to the system now. Cheap to call once, not per event.
void ReturnFreedMemory();

}  // namespace capture::coord
