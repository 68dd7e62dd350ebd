#!/usr/bin/env bash
# Every public declaration of the library modules has a `///` summary (DocC style, as GRDB's
# sources do): lists the ones that do not, and fails if there are any. Attributes between the
# comment and the declaration are fine; `public init(...)` of a plain struct counts too.
cd "$(dirname "$0")/.."
awk '
  FNR == 1 { documented = 0 }
  /^[[:space:]]*\/\/\// { documented = 1; next }
  /^[[:space:]]*@[A-Za-z_]+[^{]*$/ && !/^[[:space:]]*@(_spi|MainActor)[^ ]*[[:space:]]+(public|open)/ { next }   # attribute lines keep the comment
  /^[[:space:]]*(@[A-Za-z_(]+[^ ]*[[:space:]]+)*(public|open)[[:space:]]/ && !/^[[:space:]]*(public|open)[[:space:]]+extension/ {
    if (!documented) { printf "%s:%d: %s\n", FILENAME, FNR, $0; missing++ }
  }
  { documented = 0 }
  END { if (missing) { printf "%d public declarations without a /// summary\n", missing > "/dev/stderr"; exit 1 } }
' $(find Sources -name '*.swift' -not -path 'Sources/sanji/*' -not -path 'Sources/sanji-bench/*' | sort)
