package sample

import (
	"testing"
	"time"
)

func TestEvery(t *testing.T) {
	e := Every{Interval: time.Minute}
	t0 := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	if ok, n := e.Allow(t0); !ok || n != 0 {
		t.Fatalf("first: %v %d", ok, n)
	}
	for i := 1; i <= 1000; i++ {
		if ok, _ := e.Allow(t0.Add(time.Duration(i) * time.Millisecond)); ok {
			t.Fatalf("event %d within the minute was let through", i)
		}
	}
	if ok, n := e.Allow(t0.Add(time.Minute)); !ok || n != 1000 {
		t.Errorf("after the minute: %v, %d left out; want true, 1000", ok, n)
	}
}
