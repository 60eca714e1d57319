# syntax=docker/dockerfile:1
# driftgate container image: build on Debian bookworm, run on bookworm-slim as a
# non-root user. Build and push:
#   docker build -t registry.example.com/platform/driftgate:0.1.0 .
#   docker push registry.example.com/platform/driftgate:0.1.0
# The build mirrors the README's (scripts/install-deps.sh, then CMake + Ninja), without
# tests and benchmarks; the runtime stage holds only the shared libraries driftgate
# links against. (distroless/cc lacks yaml-cpp, RE2 and simdjson; slim is simpler.)

FROM debian:bookworm AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      g++ cmake ninja-build pkg-config ca-certificates \
      libboost-dev libssl-dev nlohmann-json3-dev libyaml-cpp-dev libre2-dev libsimdjson-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY CMakeLists.txt ./
COPY webhook/ webhook/
COPY policies/ policies/
# The PolicyTest cases below read real AdmissionReviews from tests/fixtures/.
COPY tests/fixtures/ tests/fixtures/
RUN cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DDRIFTGATE_BUILD_TESTS=OFF -DDRIFTGATE_BUILD_BENCH=OFF -DDRIFTGATE_BUILD_SERVER=ON \
 && cmake --build build \
 && install -D -m 0755 build/webhook/cli/driftgate /out/usr/local/bin/driftgate \
 && strip /out/usr/local/bin/driftgate
# The default policy set must load and its PolicyTest cases must pass; only the policy
# files go into the image (no kustomization.yaml, no tests).
RUN /out/usr/local/bin/driftgate check policies \
 && /out/usr/local/bin/driftgate test policies \
 && mkdir -p /out/etc/driftgate/policies /out/etc/driftgate/tls \
 && find policies -maxdepth 1 -type f \( -name '*.yaml' -o -name '*.yml' \) ! -name kustomization.yaml \
      -exec cp {} /out/etc/driftgate/policies/ \;

FROM debian:bookworm-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libssl3 libyaml-cpp0.7 libre2-9 libsimdjson14 \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/ /
USER 65532:65532
EXPOSE 8443
# In Kubernetes the policies come from the driftgate-policies ConfigMap and the
# certificate from the driftgate-tls Secret, mounted over these paths (deploy/).
ENTRYPOINT ["/usr/local/bin/driftgate"]
CMD ["serve", "--policies", "/etc/driftgate/policies", \
     "--tls-cert", "/etc/driftgate/tls/tls.crt", "--tls-key", "/etc/driftgate/tls/tls.key"]
