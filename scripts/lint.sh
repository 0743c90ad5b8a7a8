#!/usr/bin/env bash
# lint.sh — the code checks that are not tests:
#   scripts/lint.sh format         clang-format --dry-run on every C++ file (fails on differences)
#   scripts/lint.sh format --fix   rewrite the files in place
#   scripts/lint.sh tidy [FILES]   clang-tidy (checks in .clang-tidy) on FILES or every src/ .cc file;
#                                  needs a configured build/ (compile_commands.json)
#   scripts/lint.sh sanitizers     the unit tests under ASan+UBSan, then under TSan (build-asan/, build-tsan/)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
mapfile -t files < <(git ls-files '*.cc' '*.h')
case ${1:-} in
  format)
    if [[ ${2:-} == --fix ]]; then
      clang-format -i "${files[@]}"
    else
      clang-format --dry-run -Werror "${files[@]}"
    fi
    ;;
  tidy)
    shift
    [[ -f build/compile_commands.json ]] || cmake -S . -B build -G Ninja > /dev/null
    if (($#)); then targets=("$@"); else mapfile -t targets < <(git ls-files 'src/*.cc'); fi
    clang-tidy -p build --quiet "${targets[@]}"
    ;;
  sanitizers)
    AVA_BUILD_DIR=$ROOT/build-asan AVA_SANITIZE=address AVA_BUILD_TYPE=Debug scripts/test.sh -L unit
    AVA_BUILD_DIR=$ROOT/build-tsan AVA_SANITIZE=thread AVA_BUILD_TYPE=Debug scripts/test.sh -L unit
    ;;
  *) sed -n '2,8p' "$0"; exit 2 ;;
esac
