# The shop's entry points; the work is done by the scripts in deploy/scripts (see each one's
# header). Everything runs as root on a fresh Debian machine with Swift in /opt/swift.
#
#   make run     the shop on http://127.0.0.1:8000/ (PORT=...), Ctrl-C stops it
#   make test    swift test against a private PostgreSQL/redis (TEST_ARGS="--filter X"),
#                then the browser journeys in headless chromium (JOURNEYS=0 skips them)
#   make journeys  only the browser journeys (JOURNEY_ARGS="-k shopper")
#   make bench   wrk against the pool behind nginx; prints req/s, p50, p99
#   make build   release build (.build/release/shop)
#   make stop    stop services left running from .data/
#   make clean   stop them, then delete .build and .data

SHELL := /bin/bash
export PATH := $(PATH):/opt/swift/usr/bin:/usr/sbin:/sbin

.PHONY: run test journeys bench build stop clean

run:
	bash deploy/scripts/run.sh

test:
	bash deploy/scripts/test.sh $(TEST_ARGS)

journeys:
	JOURNEYS=only bash deploy/scripts/test.sh

bench:
	bash deploy/scripts/bench.sh

build:
	bash -c '. deploy/scripts/lib.sh && build_shop release'

stop:
	bash deploy/scripts/stop.sh

clean:
	bash deploy/scripts/stop.sh --destroy
	rm -rf .build .data
