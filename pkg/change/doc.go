// Package change reads which lines a change touched, from the unified
// diff git prints (git diff -U0), so a finding on a line the change wrote
// is told from one that was there before: a pull request's comment leads
// with the new ones, and plumbline check --new-since fails on them alone.
//
// A diff is input a pull request writes: it is read within a budget of
// size and files, and anything it cannot place counts as new (a finding
// is never hidden for want of a reading).
package change
