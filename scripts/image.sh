#!/usr/bin/env bash
# Builds the station image (sanji:latest) without Docker Hub, from what a county has:
#
#   scripts/image.sh                       # a Debian base made here with debootstrap (root), unless
#                                          # a local debian:bookworm-slim exists, then that one
#   scripts/image.sh --base debootstrap    # always debootstrap, from SANJI_DEBIAN_MIRROR
#   scripts/image.sh --base registry.county.local/debian:bookworm-slim   # any base image at hand
#   scripts/image.sh --binary ./sanji --tag sanji:0.3.0
#
# The binary is the static release build made on this host (swift build -c release
# --static-swift-stdlib --product sanji), so no Swift toolchain image is needed either; it still
# links the C library, so build it on Debian 12 (as CI does) or a host whose glibc is not newer
# than bookworm's 2.36 (the final `--version` check in the image says so if it is). The image
# holds Debian's libzmq5, libsqlite3-0 and tzdata, the unprivileged user sanji, and
# /var/lib/sanji; it runs `sanji serve --data /var/lib/sanji` as docker-compose.yml expects.
#
# Environment: SANJI_DEBIAN_MIRROR (default http://deb.debian.org/debian; the county's apt mirror
# if it has one). docs/operations.md ("Images without Docker Hub") walks through a deployment.
set -euo pipefail

base=auto
binary=""
tag=sanji:latest
mirror="${SANJI_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
while [ $# -gt 0 ]; do
  case "$1" in
    --base|--binary|--tag) [ $# -ge 2 ] || { echo "image.sh: $1 needs a value (see scripts/image.sh --help)" >&2; exit 64; } ;;
  esac
  case "$1" in
    --base) base="$2"; shift 2 ;;
    --binary) binary="$(realpath -m "$2")"; shift 2 ;;   # as given from where it was run
    --tag) tag="$2"; shift 2 ;;
    -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "image.sh: unknown argument $1 (see scripts/image.sh --help)" >&2; exit 64 ;;
  esac
done
cd "$(dirname "$0")/.."

command -v docker >/dev/null || { echo "image.sh: no docker command; apt-get install docker.io" >&2; exit 1; }
docker info >/dev/null 2>&1 || { echo "image.sh: the docker engine does not answer (is dockerd running? systemctl start docker)" >&2; exit 1; }

if [ -z "$binary" ]; then
  echo "== the static release binary (swift build -c release --static-swift-stdlib --product sanji)" >&2
  swift build -c release --static-swift-stdlib --product sanji >&2
  binary=.build/release/sanji
fi
[ -x "$binary" ] || { echo "image.sh: $binary is not an executable" >&2; exit 1; }

if [ "$base" = auto ]; then
  if docker image inspect debian:bookworm-slim >/dev/null 2>&1; then base=debian:bookworm-slim; else base=debootstrap; fi
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$binary" "$work/sanji"

if [ "$base" = debootstrap ]; then
  [ "$(id -u)" = 0 ] || { echo "image.sh: debootstrap needs root (or pass --base with an image you have)" >&2; exit 1; }
  command -v debootstrap >/dev/null || { echo "image.sh: apt-get install debootstrap (or pass --base with an image you have)" >&2; exit 1; }
  echo "== a Debian bookworm base from $mirror (debootstrap --variant=minbase)" >&2
  debootstrap --variant=minbase --include=libzmq5,libsqlite3-0,tzdata bookworm "$work/rootfs" "$mirror" >&2
  chroot "$work/rootfs" useradd --system --home-dir /var/lib/sanji --shell /usr/sbin/nologin sanji
  chroot "$work/rootfs" install -d -o sanji -g sanji -m 0700 /var/lib/sanji
  install -m 0755 "$work/sanji" "$work/rootfs/usr/local/bin/sanji"
  rm -rf "$work/rootfs/var/cache/apt/archives/"*.deb "$work/rootfs/var/lib/apt/lists/"*
  echo "== importing it as $tag" >&2
  tar -C "$work/rootfs" -c . | docker import \
    --change 'USER sanji' --change 'WORKDIR /var/lib/sanji' --change 'VOLUME /var/lib/sanji' --change 'EXPOSE 7701' \
    --change 'ENTRYPOINT ["sanji"]' --change 'CMD ["serve", "--data", "/var/lib/sanji"]' - "$tag" >/dev/null
else
  echo "== on $base (Debian's packages from $mirror)" >&2
  cat > "$work/Dockerfile" <<EOF
FROM $base
RUN printf 'deb $mirror bookworm main\n' > /etc/apt/sources.list \\
 && rm -f /etc/apt/sources.list.d/debian.sources \\
 && apt-get update \\
 && apt-get install -y --no-install-recommends libzmq5 libsqlite3-0 tzdata \\
 && rm -rf /var/lib/apt/lists/* \\
 && useradd --system --home-dir /var/lib/sanji --shell /usr/sbin/nologin sanji \\
 && install -d -o sanji -g sanji -m 0700 /var/lib/sanji
COPY sanji /usr/local/bin/sanji
USER sanji
VOLUME /var/lib/sanji
EXPOSE 7701
ENTRYPOINT ["sanji"]
CMD ["serve", "--data", "/var/lib/sanji"]
EOF
  docker build --pull=false -t "$tag" "$work" >&2
fi

echo "== checking it" >&2
version="$(docker run --rm "$tag" --version)"
echo "built $tag (sanji $version) from $base"
