# What test suites need beyond `npm ci`, sourced by tools/ci/test.sh. For each need <n>:
#   need_<n>_about    what it is, and what ensuring it does (printed when test:all ensures it or npm test skips for it)
#   need_<n>_here     exit 0 when it is here already; quick, and installs, builds and starts nothing
#   need_<n>_ensure   installs, builds or starts it (only `npm run test:all` calls this), saying so
# A check or suite names its needs in NEEDS in tools/ci/test.sh. A later need (a browser, a load generator) is three
# definitions here and a word in NEEDS. Names are shell words (k8s_tools, not k8s-tools).
# shellcheck shell=bash

need_jaeger_about="a Jaeger v2 binary, built once from the Go module proxy into ~/.cache/mono/jaeger (several minutes)"
need_jaeger_here() { bash tools/jaeger/ensure-jaeger.sh --cached >/dev/null 2>&1; }
need_jaeger_ensure() { bash tools/jaeger/ensure-jaeger.sh >/dev/null; }

need_engine_about="a Docker engine: Debian's docker.io installed with apt-get when missing, dockerd started in the background"
need_engine_here() { docker info >/dev/null 2>&1; }
need_engine_ensure() { bash tools/docker/ensure-engine.sh; }

need_images_about="this checkout's images (mono/edge, mono/gateway, mono/framework, mono/jaeger) built into the Docker engine"
# Never here for npm test: they must hold this checkout's code, and building them retags images the engine shares.
need_images_here() { return 1; }
need_images_ensure() { bash tools/docker/build-images.sh >/dev/null; }

need_k8s_tools_about="kustomize and k8s-check, built once from the Go module proxy into ~/.cache/mono/k8s-tools (minutes)"
need_k8s_tools_here() { bash tools/k8s/ensure-tools.sh --cached >/dev/null 2>&1; }
need_k8s_tools_ensure() { bash tools/k8s/ensure-tools.sh >/dev/null; }

need_chromium_about="Debian's chromium and fonts-liberation, installed with apt-get (tools/browser/ensure-chromium.sh)"
need_chromium_here() { [ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] && dpkg -s fonts-liberation >/dev/null 2>&1; }
need_chromium_ensure() { bash tools/browser/ensure-chromium.sh; }

need_cc_about="a C compiler (cc): Debian's gcc and libc6-dev installed with apt-get when missing (the malloc_trim addon's test)"
need_cc_here() { command -v "${CC:-cc}" >/dev/null 2>&1 && [ -e /usr/include/malloc.h ]; }
need_cc_ensure() { bash tools/build/ensure-cc.sh; }

need_vegeta_about="vegeta, an open-loop HTTP load generator, built once from the Go module proxy into ~/.cache/mono/vegeta"
need_vegeta_here() { bash tools/load/ensure-vegeta.sh --cached >/dev/null 2>&1; }
need_vegeta_ensure() { bash tools/load/ensure-vegeta.sh >/dev/null; }

need_load_about="minutes of load with thousands of sockets (the load suites: memory and latency under many clients); only test:all runs them"
# Never here for npm test: slow, and a measurement wants the machine to itself.
need_load_here() { return 1; }
need_load_ensure() { return 0; }
