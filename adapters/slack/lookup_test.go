package slack

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	slackapi "github.com/slack-go/slack"
)

// slowUsers is a users.info that takes answerIn to answer, never answers
// for the users in hang, and counts how many calls run at once. Any other
// Web API call panics.
type slowUsers struct {
	api
	answerIn time.Duration
	hang     map[string]bool

	mu            sync.Mutex
	running, most int
	calls         int
}

func (s *slowUsers) GetUserInfoContext(ctx context.Context, user string, _ ...slackapi.GetUserInfoOption) (*slackapi.User, error) {
	s.mu.Lock()
	s.calls++
	s.running++
	s.most = max(s.most, s.running)
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.running--
		s.mu.Unlock()
	}()
	if s.hang[user] {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	select {
	case <-time.After(s.answerIn):
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return &slackapi.User{ID: user, Name: strings.ToLower(user)}, nil
}

func users(n int) []string {
	var us []string
	for i := range n {
		us = append(us, fmt.Sprintf("U%d", i))
	}
	return us
}

// TestNameLookupsConcurrent: under synctest's clock, ten lookups that take
// 100 ms each finish in three rounds of four at once (300 ms, where one by
// one would take a second), and never more than four run together.
func TestNameLookupsConcurrent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := New(Config{})
		stub := &slowUsers{answerIn: 100 * time.Millisecond}
		a.api = stub
		start := time.Now()
		names := a.displayNames(context.Background(), users(10)...)
		if got, want := time.Since(start), 300*time.Millisecond; got != want {
			t.Errorf("lookups took %s on the bubble's clock, want %s", got, want)
		}
		if len(names) != 10 || names["U7"] != "u7" {
			t.Errorf("names %v", names)
		}
		if stub.most != nameLookups {
			t.Errorf("%d lookups ran at once, want %d", stub.most, nameLookups)
		}
		// Known now: no second call.
		a.displayNames(context.Background(), "U1", "U2", "U1")
		if stub.calls != 10 {
			t.Errorf("%d users.info calls, want 10: names are cached", stub.calls)
		}
	})
}

// TestNameLookupsDeadline: two of ten users never get an answer; the
// lookups end at the one overall deadline, not one deadline per user, and
// the other eight are named.
func TestNameLookupsDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := New(Config{})
		stub := &slowUsers{answerIn: 100 * time.Millisecond, hang: map[string]bool{"U0": true, "U5": true}}
		a.api = stub
		start := time.Now()
		names := a.displayNames(context.Background(), users(10)...)
		if got := time.Since(start); got != nameWait {
			t.Errorf("lookups took %s on the bubble's clock, want the deadline, %s", got, nameWait)
		}
		if _, ok := names["U0"]; ok || len(names) != 8 {
			t.Errorf("names %v: want all but U0 and U5", names)
		}
		synctest.Wait()
		if stub.running != 0 {
			t.Errorf("%d lookups still running after the deadline", stub.running)
		}
	})
}
