#!/usr/bin/env bats
#
# The blocking list commands (BLPOP, BRPOP, BLMPOP, BLMOVE, BRPOPLPUSH),
# the blocking sorted-set commands (BZPOPMIN, BZPOPMAX, BZMPOP), CLIENT
# UNBLOCK and the blocked clients of INFO and CLIENT LIST, on a
# hydrad with two workers where the blocked client and the one that
# pushes are on different workers (t/helpers/blocking.py opens
# connections until each worker serves one, by INFO's this_worker).
# After each scenario the arena checker must find the store whole: the
# waiter links and records are part of its walk.

load helpers/common

SCENARIO=$BATS_TEST_DIRNAME/helpers/blocking.py

setup() {
	start_server --enable-debug-command yes
}

teardown() {
	stop_hydrad
}

# scenario NAME: run it against the server, then check the arena.
scenario() {
	run python3 "$SCENARIO" "$1" "$HYDRA_PORT" "$HYDRAD_PID"
	echo "$output"
	[ "$status" -eq 0 ]
	run "$HYDRACTL" -a "$HYDRA_ARENA" check
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *" 0 problems"* ]]
}

# full_check: the check with the allocation sweep (no chunk leaked),
# once the server is idle.
full_check() {
	run "$HYDRACTL" -a "$HYDRA_ARENA" check --full
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *" 0 problems"* ]]
	[[ "$output" != *leaked* ]]
}

@test "a client blocked on one worker is served by a push on the other" {
	# Invariant: each blocking command, blocked on worker 0 and then on
	# worker 1, is served by a push on the other worker with what the
	# non-blocking command answers (BLMOVE pushing onto its
	# destination), and takes exactly that from the list.
	scenario cross
	full_check
}

@test "BLMOVE's push serves a client blocked on its destination" {
	# Invariant: the element BLMOVE moves onto a key another client
	# waits on goes on to that client, as in Redis.
	scenario chain
}

@test "RENAME, COPY, MOVE and SWAPDB onto a waited-on name serve it" {
	# Invariant: a list that appears under a name a client waits on,
	# by RENAME, COPY, MOVE from another database or SWAPDB, serves
	# that client as a push would; after SWAPDB a waiter still waits on
	# its own database.
	scenario rename
}

@test "waiters on a key are served oldest first" {
	# Invariant: three clients blocked in turn on one key (over both
	# workers) get the elements of later pushes in the order they
	# blocked; one push of two elements serves two of them.
	scenario fifo
}

@test "timeouts end waits in time, 0 waits for ever" {
	# Invariant: fractional timeouts answer the null reply of each
	# command (RESP2 and RESP3) no sooner than asked; a timeout of 0
	# waits until served.
	scenario timeout
}

@test "CLIENT UNBLOCK ends a wait on another worker" {
	# Invariant: UNBLOCK answers 1 for a blocked client (shown with
	# flags=b cmd=blpop) of either worker, which then gets the timeout
	# reply (TIMEOUT) or -UNBLOCKED (ERROR); 0 for a client that is not
	# blocked; an unblocked client takes nothing from a later push.
	scenario unblock
	full_check
}

@test "commands behind a blocking one wait for it" {
	# Invariant: requests pipelined after BLPOP run only once it was
	# served, in order.
	scenario queued
}

@test "a blocked client that disconnects takes nothing" {
	# Invariant: after a blocked client closed its connection (and
	# INFO shows no blocked client), a push stays in the list.
	scenario disconnect
	full_check
}

@test "a client blocked on two keys pushed at once is served once" {
	# Invariant: two pushes on two workers to two keys of one waiter
	# serve it once; the other element stays in its list.
	scenario once
	full_check
}

@test "an element handed to a worker that dies goes back to its list" {
	# Invariant: with the waiter's worker stopped, a push on the other
	# worker hands the element over (it leaves the list); after that
	# worker is killed, its successor puts the element back at the end
	# it came from, and the arena is whole with nothing leaked.
	scenario kill
	full_check
}

@test "a client in BZPOPMIN on one worker is served by ZADD on the other" {
	# Invariant: BZPOPMIN, BZPOPMAX and BZMPOP, blocked on worker 0
	# and then on worker 1, are served by a ZADD (or ZINCRBY) on the
	# other worker, take exactly what they answer from the set, and
	# answer byte for byte what they answer at once on a set that holds
	# the same members, in RESP2 and RESP3 (scores as doubles).
	scenario zcross
	full_check
}

@test "waiters on a sorted set are served oldest first" {
	# Invariant: three clients blocked in turn on one key (over both
	# workers) get the lowest members of later ZADDs in the order they
	# blocked; one ZADD of two members serves two of them.
	scenario zfifo
}

@test "sorted-set waits time out in time, 0 waits for ever" {
	# Invariant: fractional timeouts answer a null array (RESP2 *-1,
	# RESP3 _) no sooner than asked; a timeout of 0 waits until served.
	scenario ztimeout
}

@test "CLIENT UNBLOCK ends a BZPOPMIN on another worker" {
	# Invariant: UNBLOCK answers 1 for a client in BZPOPMIN or BZMPOP
	# (flags=b cmd=bzpopmin), which gets the null array (TIMEOUT) or
	# -UNBLOCKED (ERROR); a later ZADD stays in the set.
	scenario zunblock
	full_check
}

@test "a client in BZPOPMIN that disconnects takes nothing" {
	# Invariant: after the blocked client closed its connection, a
	# ZADD's member stays in the set with its score.
	scenario zdisconnect
	full_check
}

@test "sorted-set waits and types: WRONGTYPE, lists, stores, RESTORE" {
	# Invariant: a key of another type at command time answers
	# WRONGTYPE; a list under a waited-on name serves no BZPOPMIN and a
	# sorted set no BLPOP; ZUNIONSTORE, ZRANGESTORE and RENAME onto a
	# waited-on name serve the waiter, and RESTORE serves (shown with a
	# list, as sorted sets have no DUMP yet).
	scenario ztype
}

@test "members handed to a worker that dies go back with their scores" {
	# Invariant: with the waiter's worker stopped, a ZADD on the other
	# worker hands BZMPOP's two lowest members over (they leave the
	# set); after that worker is killed, its successor puts them back
	# with their scores, and the arena is whole with nothing leaked.
	scenario zkill
	full_check
}
