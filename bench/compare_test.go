package bench

import (
	"testing"
	"time"
)

// reportVersus reports a comparison measured in one run: how many times
// faster ours was than the peer, each one's time per iteration and peak
// memory.
func reportVersus(b *testing.B, ours, peer time.Duration, oursMem, peerMem float64, oursName, peerName string) {
	n := float64(b.N)
	b.ReportMetric(peer.Seconds()/ours.Seconds(), "x-faster-than-"+peerName)
	b.ReportMetric(ours.Seconds()/n, oursName+"-s/op")
	b.ReportMetric(peer.Seconds()/n, peerName+"-s/op")
	b.ReportMetric(oursMem, oursName+"-peak-MiB")
	b.ReportMetric(peerMem, peerName+"-peak-MiB")
}
