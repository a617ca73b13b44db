#!/usr/bin/env bash
# Rewrites the configuration table in README.md from the settings schemas (after `npm run build`).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
table=$(node dist/scripts/config-table.js)
python3 - "$table" <<'PY'
import sys, re
table = sys.argv[1]
text = open('README.md').read()
start = text.index('| variable | read by | default | meaning |')
end = text.index('\n\n', start)
open('README.md', 'w').write(text[:start] + table + text[end:])
PY
