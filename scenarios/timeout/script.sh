#!/bin/bash
# timeout: the command's time is the lab's in virtual time; statuses and messages as
# coreutils gives them.
timeout 1 sleep 5; echo "rc=$?"
timeout 5 sleep 1; echo "rc=$?"
timeout 0 true; echo "rc=$?"
# The shell reports a job killed by a signal with the script's path: that report is left out.
{ timeout -s KILL 1 sleep 5; } 2>/dev/null; echo "rc=$?"
timeout --signal=INT 1 sleep 5; echo "rc=$?"
timeout --preserve-status 1 sleep 10; echo "rc=$?"
timeout -v 1 sleep 5; echo "rc=$?"
timeout 1 sh -c 'exit 3'; echo "rc=$?"
timeout 1.5s sleep 1; echo "rc=$?"
timeout; echo "rc=$?"
timeout 1; echo "rc=$?"
timeout abc sleep 1; echo "rc=$?"
timeout -s BOGUS 1 sleep 1; echo "rc=$?"
timeout 1 nosuchcmd; echo "rc=$?"
timeout 1 /etc; echo "rc=$?"
