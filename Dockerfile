# Sanji node image: build with the Swift toolchain, run on slim Debian with libzmq.
# Used by docker-compose.yml (one container per station); the local launcher
# (`sanji cluster up`) is the tested path, this file is checked by `docker-compose config`.
# Without Docker Hub (many county networks): scripts/image.sh builds the same runtime image from a
# Debian base made with debootstrap, or any base at hand (docs/operations.md, "Images without Docker Hub").

FROM swift:6.1-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends libzmq3-dev libsqlite3-dev pkg-config \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --product sanji --static-swift-stdlib \
 && install -m 0755 .build/release/sanji /usr/local/bin/sanji

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends libzmq5 libsqlite3-0 tzdata \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --home-dir /var/lib/sanji --shell /usr/sbin/nologin sanji \
 && install -d -o sanji -g sanji -m 0700 /var/lib/sanji
COPY --from=build /usr/local/bin/sanji /usr/local/bin/sanji
USER sanji
VOLUME /var/lib/sanji
EXPOSE 7701
ENTRYPOINT ["sanji"]
CMD ["serve", "--data", "/var/lib/sanji"]
