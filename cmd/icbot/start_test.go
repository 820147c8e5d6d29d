package main

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestStartBeforeQueuedMessages: icbot serves requests while it is still
// sending the messages an earlier run left queued. Slack takes one
// message a second in a channel, so a backlog of N notices to one person
// would otherwise keep icbot deaf to Slack for N seconds after a start:
// here the first run queues notices to the IC while Slack fails every
// call, is killed, and the second starts while Slack holds every post.
func TestStartBeforeQueuedMessages(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("runs the icbot binary")
	}
	bin := icbotBinary(t)
	web := newWebSlack(t, 9)
	const secret = "start-signing-secret"
	db := filepath.Join(t.TempDir(), "icbot.db")
	vars := map[string]string{
		"ICBOT_ADAPTER": "slack", "ICBOT_STORAGE_PATH": db, "ICBOT_HTTP_ADDR": "127.0.0.1:0", "ICBOT_HTTP_ADMIN_ADDR": "127.0.0.1:0",
		"ICBOT_SLACK_BOT_TOKEN": "xoxb-start", "ICBOT_SLACK_SIGNING_SECRET": secret, "ICBOT_SLACK_API_URL": web.apiURL(),
		"ICBOT_SLACK_SET_CHANNEL": "CSET", "ICBOT_ADMINS": "UADMIN", "ICBOT_LOG_LEVEL": "info", "ICBOT_PRODUCTION_TIMEZONE": "UTC",
	}
	p := startProc(t, bin, vars)
	c := &http.Client{Timeout: 20 * time.Second}
	run := func(p *proc, user, text, want string) {
		t.Helper()
		code, body, err := slashRequest(secret, web, user, "CSET", text, 0).send(context.Background(), c, p.base())
		if err != nil || code != http.StatusOK || !strings.Contains(string(body), want) {
			t.Fatalf("%s: %d %s %v", text, code, body, err)
		}
	}
	run(p, "UADMIN", "/icbot role add <@UIC> ic", "is now")
	run(p, "UADMIN", "/icbot role add <@UAD> ad", "is now")
	run(p, "UADMIN", "/icbot role add <@UPERF> performer", "is now")
	run(p, "UAD", fmt.Sprintf("/scene add 1 title=\"Lake\" call=%q performers=<@UPERF>", crashCall()), "added as a draft")
	run(p, "UIC", "/scene beat add 1 \"A kiss\" kind=contact", "added to scene")
	web.setFailures(0, 1) // Slack fails every call: the IC's notices stay queued
	for i := range 3 {
		run(p, "UPERF", fmt.Sprintf("/boundaries answer 1 b1=yes notes=\"take %d\"", i), "are saved")
	}
	p.kill(t)

	web.setFailures(0, 0)
	web.hold()
	defer web.release()
	p, err := launch(t, bin, vars)
	if err != nil {
		t.Fatalf("icbot did not serve while the queued notices waited for Slack: %v", err)
	}
	calls, _, _ := web.counts()
	if calls["chat.postMessage"] == 0 {
		t.Log("no queued notice was being sent yet when icbot listened")
	}
	run(p, "UIC", "/icbot whoami", "You are")
	web.release()
	p.term(t)
}
