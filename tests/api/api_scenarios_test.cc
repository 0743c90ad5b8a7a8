// The API scenarios (api_scenarios.h) on SQLite in memory.
#include "api_scenarios.h"

namespace ava::api::testing {
namespace {

INSTANTIATE_TEST_SUITE_P(Sqlite, ApiScenarioTest,
                         ::testing::Values(StoreBackend{"SqliteMemory",
                                                        [](std::string*) { return std::string(); }}),
                         BackendName);

}  // namespace
}  // namespace ava::api::testing
