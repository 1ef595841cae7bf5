#!/usr/bin/env bash
# Removes what the integration suite starts — containers labelled mono.suite=integration, compose projects named
# mono-it-*, and the networks testcontainers made — also after a run that was interrupted or failed.
set -uo pipefail
docker info >/dev/null 2>&1 || exit 0
containers="$(docker ps -aq --filter label=mono.suite=integration)"
for project in $(docker ps -a --format '{{.Label "com.docker.compose.project"}}' | grep '^mono-it-' | sort -u); do
  containers="$containers $(docker ps -aq --filter "label=com.docker.compose.project=$project")"
done
containers="$(echo $containers)"
[ -n "$containers" ] && docker rm -f $containers >/dev/null
networks="$(docker network ls -q --filter label=org.testcontainers=true) $(docker network ls --format '{{.Name}}' | grep '^mono-it-' || true)"
networks="$(echo $networks)"
[ -n "$networks" ] && docker network rm $networks >/dev/null 2>&1
exit 0
