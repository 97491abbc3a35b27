#!/usr/bin/env bash
# The Python reference environments of `make bench`, created once under ~/.cache/pformer/venvs (never in the
# repository) and reused: PyTorch 2.3.1 (the libtorch version DJL runs), Hugging Face tokenizers 0.19.1 (the Rust
# version DJL 0.29.0 binds), pycocoevalcap 1.2. Idempotent: an environment whose package imports is left as it is;
# one is built in <name>.tmp and renamed only when complete. Prints the three interpreters as shell assignments.
set -euo pipefail
venvs="${PFORMER_VENVS:-$HOME/.cache/pformer/venvs}"
mkdir -p "$venvs"

ensure() { # ensure NAME MODULE PIP-ARGS...
  local name=$1 module=$2
  shift 2
  local dir="$venvs/$name"
  if [ -x "$dir/bin/python" ] && "$dir/bin/python" -c "import $module" 2>/dev/null; then
    return 0
  fi
  echo "bench: creating $dir ($*)" >&2
  rm -rf "$dir.tmp"
  # explicit returns: errexit does not apply inside a function called as an `if` condition
  python3 -m venv "$dir.tmp" || return 1
  "$dir.tmp/bin/pip" install -q "$@" >&2 || return 1
  "$dir.tmp/bin/python" -c "import $module" >&2 || return 1
  rm -rf "$dir" && mv "$dir.tmp" "$dir"
}

# PyPI's torch 2.3.1 wheel brings its CUDA libraries (~2.5 GB download); it runs on CPU. Where it cannot be
# installed, Debian's python3-torch (1.13.1) is the fallback, and the header line of `make bench` names the version.
if ensure torch-2.3.1 torch torch==2.3.1 numpy; then
  torch_python="$venvs/torch-2.3.1/bin/python"
elif /usr/bin/python3 -c "import torch" 2>/dev/null; then
  echo "bench: PyPI torch 2.3.1 unavailable; using Debian's python3-torch" >&2
  torch_python=/usr/bin/python3
else
  echo "bench: no PyTorch for the reference (pip install torch==2.3.1 failed; apt-get install python3-torch)" >&2
  exit 1
fi
ensure ingest-tokenizers tokenizers tokenizers==0.19.1
ensure cocoeval pycocoevalcap pycocoevalcap==1.2 numpy
echo "TORCH_PYTHON=$torch_python"
echo "TOKENIZERS_PYTHON=$venvs/ingest-tokenizers/bin/python"
echo "COCO_PYTHON=$venvs/cocoeval/bin/python"
