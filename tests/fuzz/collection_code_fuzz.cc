// The demo collection code decoder (common/collection_code.h): whatever the code reader types.
#include <memory>

#include "common/collection_code.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::unique_ptr<capture::CodeDecoder> decoder = capture::MakeDemoCodeDecoder(capture::fuzz::FuzzSiteKey());
  auto decoded = decoder->Decode(capture::fuzz::Bytes(data, size));
  if (!decoded.ok()) return 0;
  FUZZ_CHECK(!decoded->registry_no.empty());
  // Minting is deterministic: the code of what was decoded decodes to the same.
  const std::string code = capture::MintDemoCode(capture::fuzz::FuzzSiteKey(), decoded->registry_no, decoded->masked_name);
  auto again = decoder->Decode(code);
  FUZZ_CHECK(again.ok() && again->registry_no == decoded->registry_no && again->masked_name == decoded->masked_name);
  return 0;
}
