#!/usr/bin/env bash
# ansible-test sanity on a copy of the checkout laid out as ansible_collections/conductors/nessus_compliance,
# offline: ansible-test's pip bootstrap script is served from its cache (see ansible_test_get_pip.py).
set -euo pipefail
cd "$(dirname "$0")/.."
if ls tests/sanity/ignore-*.txt >/dev/null 2>&1; then
  echo "tests/sanity/ignore-*.txt exists: sanity must pass without ignore entries" >&2; exit 1
fi
if ! command -v shellcheck >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    (apt-get update -qq && apt-get install -y -qq shellcheck) >/dev/null 2>&1 || true
  fi
  command -v shellcheck >/dev/null || echo "WARNING: shellcheck not installed: ansible-test skips its shellcheck test" >&2
fi
PIPV=$(python - <<'PY'
import pathlib, re, ansible_test
src = (pathlib.Path(ansible_test.__file__).parent / "_internal" / "python_requirements.py").read_text()
print(re.search(r"pip='([0-9.]+)'", src).group(1))
PY
)
CACHE=$HOME/.ansible/test/cache
mkdir -p "$CACHE"
[ -f "$CACHE/pip-$PIPV-py3-none-any.whl" ] || pip download -q --no-deps -d "$CACHE" "pip==$PIPV" 2>&1 | { grep -v 'is ignored' || true; }
cp .ci/ansible_test_get_pip.py "$CACHE/get_pip_${PIPV//./_}.py"
WORK=$(mktemp -d /tmp/sanity.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
COLL=$WORK/ansible_collections/conductors/nessus_compliance
mkdir -p "$COLL"
git ls-files -z --cached --others --exclude-standard -- . ':!:.ci' | tar --null -T - -cf - | tar -xf - -C "$COLL"
cd "$COLL"
ansible-test sanity --venv --python "${SANITY_PYTHON:-3.11}" --color no "$@" 2>&1 | tee "$WORK/sanity.log"
if grep -q "^WARNING: Skipping" "$WORK/sanity.log"; then
  echo "ansible-test skipped tests (see WARNING lines above)" >&2
fi
