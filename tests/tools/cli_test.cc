// The kit and mint-code subcommands, run as the real capture-sim program.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "common/collection_code.h"
#include "common/csv.h"
#include "common/fs.h"
#include "common/identity.h"
#include "common/schedule.h"
#include "tests/tools/test_support.h"
#include "tools/capture-sim/process.h"

namespace capture::sim {
namespace {

using namespace std::chrono_literals;

TEST(KitCommand, WritesExactlyTheKitFilesAndEveryCodeDecodesToItsRegistryNumber) {
  testing::TempDir dir;
  const std::string kit = dir / "kit";
  testing::SimRun run = testing::RunCaptureSim({"kit", kit, "--schedule", CAPTURE_DATA_DIR "/schedule-2024-04-22.csv", "--seed", "11"},
                   dir / "sim.log");
  ASSERT_TRUE(run.exit.Succeeded()) << run.exit.ToString();

  std::set<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(kit)) files.insert(entry.path().filename().string());
  EXPECT_EQ(files, (std::set<std::string>{"auditor.key", "auditor.pub", "codes.csv", "roster.csv", "site.key",
                                          "station-keys.csv", "station-1.key", "station-2.key", "station-3.key"}));
  // The auditors' secret key is private; their public key is the one the coordinator seals to.
  EXPECT_EQ(std::filesystem::status(kit + "/auditor.key").permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  auto auditor = Identity::Load(kit + "/auditor.key");
  ASSERT_TRUE(auditor.ok()) << auditor.status().message();
  auto auditor_pub = ReadPublicKey(kit + "/auditor.pub");
  ASSERT_TRUE(auditor_pub.ok()) << auditor_pub.status().message();
  EXPECT_EQ(*auditor_pub, auditor->public_key());
  // Each station's key is private, and the enrolment file names its public key.
  auto enrolment = ReadFile(kit + "/station-keys.csv");
  ASSERT_TRUE(enrolment.ok());
  std::string expected = "station,public_key\n";
  for (int station = 1; station <= 3; ++station) {
    const std::string path = kit + "/station-" + std::to_string(station) + ".key";
    EXPECT_EQ(std::filesystem::status(path).permissions() & std::filesystem::perms::all,
              std::filesystem::perms::owner_read | std::filesystem::perms::owner_write)
        << path;
    auto identity = Identity::Load(path);
    ASSERT_TRUE(identity.ok()) << identity.status().message();
    expected += std::to_string(station) + "," + KeyHex(identity->public_key()) + "\n";
  }
  EXPECT_EQ(*enrolment, expected);

  auto roster = LoadRoster(kit + "/roster.csv");
  ASSERT_TRUE(roster.ok()) << roster.status().message();
  EXPECT_EQ(roster->students.size(), 3575u + 18u) << "the schedule's headcount and 0.5% of an earlier cohort";
  std::map<std::string, std::string> masked_by_registry;
  for (const RosterStudent& s : roster->students) masked_by_registry[s.registry_no] = s.masked_name;

  auto key = LoadSiteKey(kit + "/site.key");
  ASSERT_TRUE(key.ok()) << key.status().message();
  auto decoder = MakeDemoCodeDecoder(*key);
  auto codes_text = ReadFile(kit + "/codes.csv");
  ASSERT_TRUE(codes_text.ok());
  auto codes = ParseCsv(*codes_text, "codes.csv");
  ASSERT_TRUE(codes.ok()) << codes.status().message();
  ASSERT_EQ(codes->size(), roster->students.size() + 1);
  EXPECT_EQ((*codes)[0], (CsvRow{"registry_no", "code"}));
  std::set<std::string> decoded_registry_nos;
  for (size_t i = 1; i < codes->size(); ++i) {
    const CsvRow& row = (*codes)[i];
    ASSERT_EQ(row.size(), 2u);
    auto decoded = decoder->Decode(row[1]);
    ASSERT_TRUE(decoded.ok()) << "row " << i << ": " << decoded.status().message();
    EXPECT_EQ(decoded->registry_no, row[0]);
    EXPECT_EQ(decoded->masked_name, masked_by_registry[row[0]]);
    decoded_registry_nos.insert(decoded->registry_no);
  }
  EXPECT_EQ(decoded_registry_nos.size(), masked_by_registry.size());
}

TEST(KitCommand, GivesTheSameRosterForTheSameSeed) {
  testing::TempDir dir;
  for (const char* name : {"a", "b"}) {
    testing::SimRun run = testing::RunCaptureSim({"kit", dir / name, "--schedule", CAPTURE_DATA_DIR "/schedule-2024-04-22.csv", "--seed", "4"},
                     dir / "sim.log");
    ASSERT_TRUE(run.exit.Succeeded()) << run.exit.ToString();
  }
  EXPECT_EQ(testing::FileText(dir / "a/roster.csv"), testing::FileText(dir / "b/roster.csv"));
}

TEST(MintCodeCommand, PrintsACodeThatDecodesForANumberOnNoRoster) {
  testing::TempDir dir;
  const SiteKey key = GenerateSiteKey();
  ASSERT_TRUE(SaveSiteKey(dir / "site.key", key).ok());
  testing::SimRun run = testing::RunCaptureSim({"mint-code", "9999888877776666", "李*华", "--site-key", dir / "site.key"}, dir / "sim.log");
  ASSERT_TRUE(run.exit.Succeeded()) << run.exit.ToString();
  ASSERT_EQ(run.lines.size(), 1u);
  auto decoded = MakeDemoCodeDecoder(key)->Decode(run.lines[0]);
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  EXPECT_EQ(decoded->registry_no, "9999888877776666");
  EXPECT_EQ(decoded->masked_name, "李*华");
}

TEST(MintCodeCommand, FailsOnAMissingSiteKeyFile) {
  testing::TempDir dir;
  testing::SimRun run = testing::RunCaptureSim({"mint-code", "123", "--site-key", dir / "none.key"}, dir / "sim.log");
  EXPECT_EQ(run.exit.exit_code, 1);
  EXPECT_TRUE(run.lines.empty());
  EXPECT_NE(testing::FileText(dir / "sim.log").find("none.key"), std::string::npos);
}

}  // namespace
}  // namespace capture::sim
