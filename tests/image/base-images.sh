#!/usr/bin/env bash
# Makes the Dockerfile's base images, debian:bookworm and debian:bookworm-slim, in the
# local container storage when they are missing. On a machine that reaches a registry
# `docker build` pulls them as usual; this is for machines that reach only a Debian
# mirror (the project's CI). They are built the way the official images are
# (debuerreotype): `debootstrap --variant=minbase bookworm`, deb822 sources for
# bookworm, bookworm-updates and bookworm-security, the official images' apt settings,
# and for -slim the dpkg path excludes (no docs, man pages or locales).
# They live only in the container storage (/var/lib/containers), never in the
# repository. Idempotent: an image that exists is kept (FORCE=1 remakes both).
#
# The mirror is the one this machine's apt already uses (its debian.sources), so the
# images install from the same place the host does; DEBIAN_MIRROR overrides it.
set -euo pipefail

storage=(--storage-driver="${STORAGE_DRIVER:-vfs}")
bookworm=docker.io/library/debian:bookworm
slim=docker.io/library/debian:bookworm-slim

have_image() { buildah "${storage[@]}" inspect --type image "$1" >/dev/null 2>&1; }
if [ "${FORCE:-0}" != 1 ] && have_image "$bookworm" && have_image "$slim"; then
  echo "base-images: $bookworm and $slim are present"
  exit 0
fi

host_sources=/etc/apt/sources.list.d/debian.sources
mirror=${DEBIAN_MIRROR:-}
if [ -z "$mirror" ]; then
  [ -r "$host_sources" ] || {
    echo "base-images: no $host_sources to take the Debian mirror from; set DEBIAN_MIRROR (e.g. the URL of a Debian archive mirror)" >&2
    exit 2
  }
  mirror=$(awk '/^URIs:/ { print $2; exit }' "$host_sources")
fi
security_mirror=${DEBIAN_SECURITY_MIRROR:-${mirror%/debian}/debian-security}

work=$(mktemp -d /var/tmp/driftgate-base.XXXXXX)
containers=()
cleanup() {
  for c in "${containers[@]}"; do buildah "${storage[@]}" rm "$c" >/dev/null 2>&1 || true; done
  rm -rf "$work"
}
trap cleanup EXIT

rootfs=$work/rootfs
echo "base-images: debootstrap --variant=minbase bookworm from $mirror"
debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 || {
  tail -n 20 "$work/debootstrap.log" >&2
  echo "base-images: debootstrap failed (log above)" >&2
  exit 1
}

# As the official image: deb822 sources, no sources.list.
rm -f "$rootfs/etc/apt/sources.list"
cat >"$rootfs/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $mirror
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $security_mirror
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
# The official images' apt settings: no package caches or translations, compressed lists.
cat >"$rootfs/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
echo 'Acquire::Languages "none";' >"$rootfs/etc/apt/apt.conf.d/docker-no-languages"
echo 'Acquire::GzipIndexes "true";' >"$rootfs/etc/apt/apt.conf.d/docker-gzip-indexes"
echo 'Apt::AutoRemove::SuggestsImportant "false";' >"$rootfs/etc/apt/apt.conf.d/docker-autoremove-suggests"
echo 'force-unsafe-io' >"$rootfs/etc/dpkg/dpkg.cfg.d/docker-apt-speedup"
rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb \
       "$rootfs"/var/log/*.log "$rootfs"/tmp/* "$rootfs"/root/.cache
: >"$rootfs/etc/machine-id"   # each container gets its own; an image must not carry one

import() {  # rootfs image-name
  local tar=$work/rootfs.tar c
  tar --numeric-owner --xattrs -C "$1" -cf "$tar" .
  c=$(buildah "${storage[@]}" from scratch)
  containers+=("$c")
  buildah "${storage[@]}" add "$c" "$tar" / >/dev/null
  buildah "${storage[@]}" config --cmd '["bash"]' \
    --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$c"
  buildah "${storage[@]}" commit --quiet --rm "$c" "$2" >/dev/null
  containers=("${containers[@]/$c}")
  rm -f "$tar"
  echo "base-images: made $2 ($(du -sh --apparent-size "$1" | cut -f1) uncompressed)"
}

import "$rootfs" "$bookworm"

# -slim: the same system without documentation, man pages and translations, and a
# dpkg configuration that keeps them out of every later install.
cat >"$rootfs/etc/dpkg/dpkg.cfg.d/docker" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
EOF
find "$rootfs/usr/share/doc" -mindepth 1 ! -name copyright ! -type d -delete
find "$rootfs/usr/share/doc" -mindepth 1 -type d -empty -delete
rm -rf "$rootfs"/usr/share/man/* "$rootfs"/usr/share/groff/* "$rootfs"/usr/share/info/* \
       "$rootfs"/usr/share/lintian/* "$rootfs"/usr/share/linda/*
find "$rootfs/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +
import "$rootfs" "$slim"
