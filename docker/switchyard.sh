#!/bin/sh
# `switchyard` inside the images, so that `docker exec <container> switchyard env` works.
exec /usr/local/bin/node /opt/switchyard/dist/cli/main.js "$@"
