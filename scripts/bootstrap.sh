#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Prepare this machine for pind's local stack (used by `make setup`).
# Idempotent: installs only what is missing, then syncs the Python workspace
# and fetches the Kafka jars (cached in $PIND_CACHE_DIR).
#
#   scripts/bootstrap.sh           check and install
#   scripts/bootstrap.sh --check   only report what is missing (exit 1 if any)
#
# Needs: Debian/Ubuntu apt for system packages (root, or sudo), network to
# PyPI, Debian and Maven Central.
set -euo pipefail
PIND_LOG_TAG=setup
# shellcheck source=lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=../deploy/postgres/common.sh
source "$PIND_ROOT/deploy/postgres/common.sh"

check_only=0
[[ "${1:-}" == --check ]] && check_only=1
started="$(now_s)"
missing=()

pkg_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

java_major() {
  have java || return 1
  local v m
  v="$(java -version 2>&1 | awk -F'"' '/version/ {print $2; exit}')"
  m="${v%%.*}"
  [[ "$m" == 1 ]] && m="$(cut -d. -f2 <<<"$v")"
  [[ "$m" =~ ^[0-9]+$ ]] && printf '%s\n' "$m"
}

# ------------------------------------------------------------------ system
apt_wanted=()
if ! find_pg_bin >/dev/null; then
  info "PostgreSQL 15 server not found (no /usr/lib/postgresql/*/bin/postgres): will install postgresql-15"
  apt_wanted+=(postgresql-15)
fi
jm="$(java_major || true)"
if [[ -z "$jm" ]]; then
  info "Java 17 not found: will install openjdk-17-jre-headless (Kafka $PIND_KAFKA_VERSION needs Java 17+)"
  apt_wanted+=(openjdk-17-jre-headless)
elif ((jm < 17)); then
  info "Java $jm found but Kafka needs 17+: will install openjdk-17-jre-headless"
  apt_wanted+=(openjdk-17-jre-headless)
fi
if ! have mvn; then
  info "Maven not found: will install maven (fetches the Kafka jars)"
  apt_wanted+=(maven)
fi
for tool in tesseract:tesseract-ocr ffmpeg:ffmpeg ss:iproute2 curl:curl chromium:chromium wrk:wrk shellcheck:shellcheck promtool:prometheus redis-server:redis-server; do
  have "${tool%%:*}" || apt_wanted+=("${tool#*:}")
done
if have dpkg-query; then
  for p in tesseract-ocr-kor tesseract-ocr-eng fonts-nanum; do
    pkg_installed "$p" || apt_wanted+=("$p")
  done
elif have tesseract; then
  tesseract --list-langs 2>/dev/null | grep -qx kor || missing+=("tesseract Korean data (tesseract-ocr-kor)")
fi

if ((${#apt_wanted[@]})); then
  if ((check_only)); then
    missing+=("${apt_wanted[@]}")
  else
    apt_install "${apt_wanted[@]}"
  fi
fi
if ((!check_only)); then
  jm="$(java_major || true)"
  if [[ -z "$jm" ]] || ((jm < 17)); then die "Java 17 not found after installing openjdk-17-jre-headless; check 'java -version' / update-alternatives --config java"; fi
fi

# ------------------------------------------------------------------ uv
tools_bin="$PIND_CACHE_DIR/tools/bin"
if ! have uv && [[ -x "$tools_bin/uv" ]]; then
  export PATH="$tools_bin:$PATH"
fi
if ! have uv; then
  if ((check_only)); then
    missing+=(uv)
  else
    have python3 || die "python3 not found: install python3 (3.11 or 3.12; apt-get install python3 python3-venv)"
    info "uv not found: installing it with pip"
    if python3 -m pip install -q uv >&2 2>/dev/null; then
      hash -r
    fi
    if ! have uv; then
      # Debian's system Python refuses global pip installs (PEP 668), or pip
      # put uv somewhere off PATH: use a private venv in the cache instead.
      info "installing uv into $PIND_CACHE_DIR/tools (a private virtualenv)"
      if [[ ! -x "$PIND_CACHE_DIR/tools/bin/python" ]]; then
        if ! python3 -m venv "$PIND_CACHE_DIR/tools" >/dev/null 2>&1; then
          apt_install python3-venv # Debian ships venv's ensurepip separately
          rm -rf "$PIND_CACHE_DIR/tools"
          python3 -m venv "$PIND_CACHE_DIR/tools" >&2 || die "python3 -m venv failed"
        fi
      fi
      "$PIND_CACHE_DIR/tools/bin/python" -m pip install -q uv >&2 || die "pip install uv failed (is PyPI reachable?)"
      export PATH="$tools_bin:$PATH"
      warn "uv is in $tools_bin (the Makefile adds it to PATH); add it to your PATH to call uv directly"
    fi
    have uv || die "uv not found after 'pip install uv'; install it and retry (https://docs.astral.sh/uv/)"
  fi
fi

if ((check_only)); then
  if ((${#missing[@]})); then
    warn "missing: ${missing[*]} (run 'make setup')"
    exit 1
  fi
  ok "nothing missing"
  exit 0
fi

# ------------------------------------------------------------------ python
cd "$PIND_ROOT"
# No Python downloads from GitHub here: use the machine's 3.11/3.12.
export UV_PYTHON_DOWNLOADS="${UV_PYTHON_DOWNLOADS:-never}"
# PIND_EXTRAS (space or comma separated, e.g. "easyocr": what `make test`
# installs) adds optional parts; without it the sync is lean but inexact, so a
# lean `make demo` keeps what an earlier `make test` installed.
if [[ -f uv.lock ]]; then
  sync=(uv sync --frozen)
else
  sync=(uv sync)
fi
# Bytecode is compiled once here: the services, fakes and tests start many
# Python processes, and where PYTHONDONTWRITEBYTECODE is set (or the venv is
# read-only) each would compile every import from source again (service
# imports measured 1.5-3x faster; the compile costs ~20 s once per change).
sync+=(--compile-bytecode)
extras="${PIND_EXTRAS:-}"
if [[ -n "${extras//[ ,]/}" ]]; then
  for extra in ${extras//,/ }; do sync+=(--extra "$extra"); done
else
  sync+=(--inexact)
fi
info "${sync[*]} (uv $(uv --version | cut -d' ' -f2))"
if ! "${sync[@]}" >&2; then
  die "'${sync[*]}' failed. If uv.lock is out of date with a pyproject.toml, run 'uv lock' and commit it; if no Python 3.11/3.12 was found, install python3.11."
fi

# ------------------------------------------------------------------ pind on PATH
# The `pind` command (cli/) lands in the workspace's .venv/bin; a link in
# ~/.local/bin ($PIND_BIN_DIR; set it empty to skip), which most shells put on
# PATH, makes it reachable anywhere. `uv run pind` works without it.
bin_dir="${PIND_BIN_DIR-$HOME/.local/bin}"
venv="${UV_PROJECT_ENVIRONMENT:-$PIND_ROOT/.venv}"
if [[ -n "$bin_dir" && -x "$venv/bin/pind" ]]; then
  if [[ -e "$bin_dir/pind" && ! -L "$bin_dir/pind" ]]; then
    warn "$bin_dir/pind exists and is not a link: left as it is ('uv run pind' works)"
  elif mkdir -p "$bin_dir" && ln -sfn "$venv/bin/pind" "$bin_dir/pind"; then
    case ":$PATH:" in
    *":$bin_dir:"*) info "pind: $bin_dir/pind -> $venv/bin/pind" ;;
    *) warn "pind is linked in $bin_dir, which is not on your PATH: add it, or use 'uv run pind'" ;;
    esac
  else
    warn "could not link pind into $bin_dir; 'uv run pind' works"
  fi
fi

# ------------------------------------------------------------------ kafka
"$PIND_ROOT/deploy/kafka/fetch.sh"

ok "setup done in $(($(now_s) - started))s"
