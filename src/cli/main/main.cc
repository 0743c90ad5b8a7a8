// ava: the command line of Ava (`ava <noun> <verb>`); cli.h runs it.
#include <iostream>
#include <string>
#include <vector>

#include "cli/cli.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return ava::cli::RunCli(args, ava::cli::CliEnvironment::FromProcess(), std::cin, std::cout, std::cerr);
}
