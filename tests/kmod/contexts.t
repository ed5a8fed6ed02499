#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# kctx in each context (plain, irqoff, preemptoff, rcu) under TCG on the
# default kernel, and in two on 6.12 (abi.t's checker already passes all
# four there): status ok, and the per-page counts add up exactly to pages
# touched = passes x pages per pass (the module's buckets merge into
# apfw's histogram bucket by bucket). The irqoff cells run the wake-up
# probe beside (--with wakeup), which must report its own block.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/vm.sh"
cd "$TOP"

why=$(kctx_vm_ready)
if [ -n "$why" ]; then
	skip_rest "kctx passes in every context" "$why"
fi
kctx_build
bytes=$((16 << 20))
for k in debian-6.1-cloud debian-6.12-cloud; do
	if ! why=$(kctx_kernel "$k"); then
		skip "$k: kctx passes in every context" "$why"
		continue
	fi
	ctxs=(plain irqoff preemptoff rcu)
	[ "$k" = debian-6.1-cloud ] || ctxs=(irqoff rcu)
	for ctx in "${ctxs[@]}"; do
		out=$TMP_T/$k-$ctx
		# The wake-up probe beside an IRQ-off pass: the issue's latency question.
		with=()
		[ "$ctx" != irqoff ] || with=(--with wakeup)
		kctx_vm "$out" "$k" --duration 1 --vcpus 2 --mem 512M -- --context "$ctx" --bytes 16M --chunk-pages 32 "${with[@]}"
		problems=$(kctx_result_problems "$out" "$ctx" "$bytes" 2>&1)
		[ -n "$problems" ] || problems=$(console_bad "$out")
		if [ "$VM_RC" = 0 ] && [ -z "$problems" ]; then
			ok "$k: kctx $ctx: status ok, $(jq -r '"\(.kctx.passes) passes, \(.ops) pages counted exactly"' "$out/result.json")"
		else
			not_ok "$k: kctx $ctx" "apf-vm exit $VM_RC: ${problems:-$(tail -n 3 "$out.log")}"
		fi
		if [ ${#with[@]} -gt 0 ]; then
			check "$k: kctx $ctx --with wakeup: a wakeup block with samples" \
				jq -e '.wakeup.threads == 2 and .wakeup.latency_ns.count > 0' "$out/result.json"
			check "$k: kctx $ctx --with wakeup: wakeup.hgrm came back" test -s "$out/wakeup.hgrm"
		fi
	done
done
done_testing
