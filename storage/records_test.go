package storage

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"icbot/bot"
)

// TestRecordFormat pins the bytes each bot value is stored as. If it fails,
// the file format changed: make sure that was meant, and that files
// written before still read (or add a migration).
func TestRecordFormat(t *testing.T) {
	at := time.Date(2031, 6, 14, 7, 30, 0, 5, time.FixedZone("CEST", 2*60*60))
	member := bot.RosterMember{User: "U7", Role: bot.RoleCamera, AddedBy: "U5", AddedAt: at, AckedAt: at.Add(time.Second)}
	tests := []struct {
		name   string
		value  any // a bot value
		decode func([]byte) (any, error)
		want   string
	}{
		{
			name:   "production",
			value:  bot.ProductionInfo{Name: "Night Shift", Zone: "Europe/Berlin", Seeded: true},
			decode: decodeAs(productionRecord.bot),
			want:   `{"name":"Night Shift","zone":"Europe/Berlin","seeded":true}`,
		},
		{
			name:   "person",
			value:  bot.Person{ID: "U1", Name: "ana", Roles: []bot.Role{bot.RoleIC, bot.RolePerformer}},
			decode: decodeAs(personRecord.bot),
			want:   `{"id":"U1","name":"ana","roles":["ic","performer"]}`,
		},
		{
			name: "scene",
			value: bot.Scene{
				ID: "12A", Title: "Bedroom", Call: at, Performers: []bot.UserID{"U1"},
				Beats:    []bot.Beat{{ID: "b1", Description: "kiss", Kind: bot.KindNudity, Areas: []string{"back"}}},
				NextBeat: 1, Status: bot.StatusReady, Channel: "C9", Roster: []bot.RosterMember{member},
				Holds:   []bot.Hold{{Seq: 1, CalledBy: "U1", At: at, Reason: "r", Session: 2, LiftedBy: "U5", LiftedAt: at}},
				Session: 2, Sessions: 3, Version: 4, Created: at, Updated: at,
			},
			want: `{"id":"12A","title":"Bedroom","call":"2031-06-14T05:30:00.000000005Z","performers":["U1"],` +
				`"beats":[{"id":"b1","description":"kiss","kind":"nudity","areas":["back"]}],"next_beat":1,"status":"ready","channel":"C9",` +
				`"roster":[{"user":"U7","role":"camera","added_by":"U5","added_at":"2031-06-14T05:30:00.000000005Z","acked_at":"2031-06-14T05:30:01.000000005Z"}],` +
				`"holds":[{"seq":1,"called_by":"U1","at":"2031-06-14T05:30:00.000000005Z","reason":"r","session":2,"lifted_by":"U5","lifted_at":"2031-06-14T05:30:00.000000005Z"}],` +
				`"running_session":2,"sessions_started":3,"version":4,"created":"2031-06-14T05:30:00.000000005Z","updated":"2031-06-14T05:30:00.000000005Z"}`,
			decode: decodeAs(sceneRecord.bot),
		},
		{
			name: "scene asked, with news queued",
			value: bot.Scene{ID: "20", Asking: bot.Asking{Since: at, News: []bot.BeatNews{{
				Performer: "U1", Delivery: 7, Due: at.Add(5 * time.Minute),
				Changes: []bot.BeatChange{{Beat: "b4", What: bot.BeatAdded}, {Beat: "b1", What: bot.BeatChanged}},
			}}}},
			want: `{"id":"20","asking":{"since":"2031-06-14T05:30:00.000000005Z","news":[{"performer":"U1","delivery":7,"due":"2031-06-14T05:35:00.000000005Z",` +
				`"changes":[{"beat":"b4","what":"added"},{"beat":"b1","what":"changed"}]}]}}`,
			decode: decodeAs(sceneRecord.bot),
		},
		{
			name: "scene with the director's intent and beat notes",
			value: bot.Scene{ID: "21", Version: 2,
				Intent: bot.Intent{Text: "longing", By: "U3", At: at},
				Beats: []bot.Beat{
					{ID: "b1", Description: "kiss", Kind: bot.KindContact, Rev: 2, Camera: "two-shot", Conditions: "closed monitors", Props: "bed", Stunts: "fall"},
					{ID: "b2", Description: "hug", Kind: bot.KindContact, Rev: 1},
				}},
			want: `{"id":"21","beats":[{"id":"b1","description":"kiss","kind":"contact","rev":2},{"id":"b2","description":"hug","kind":"contact","rev":1}],"version":2,` +
				`"private":"{\"intent\":\"longing\",\"intent_by\":\"U3\",\"intent_at\":\"2031-06-14T05:30:00.000000005Z\",` +
				`\"beats\":[{\"id\":\"b1\",\"camera\":\"two-shot\",\"conditions\":\"closed monitors\",\"props\":\"bed\",\"stunts\":\"fall\"}]}"}`,
			decode: decodeAs(sceneRecord.bot),
		},
		{
			name: "scene with choreography, rehearsals and takes",
			value: bot.Scene{ID: "22",
				Beats: []bot.Beat{{ID: "b1", Description: "kiss", Kind: bot.KindContact, Rev: 2,
					Choreo: []bot.ChoreoVersion{
						{Version: 1, Text: "hand on shoulder", By: "U9", At: at, Changed: []string{"text"}},
						{Version: 2, Text: "hand on shoulder", Steps: []string{"turn", "hold 3 s"}, By: "U9", At: at, Changed: []string{"steps"}},
					},
					Exploratory: true, Explore: []bot.ExploreConsent{{Performer: "U1", Rev: 2, At: at}}}},
				Rehearsals: []bot.Rehearsal{{Seq: 1, At: at, By: "U9", Present: []bot.UserID{"U1", "U2"}, Beats: []string{"b1"}, Explored: []string{"b1"},
					Changes: "slower", Confirmations: []bot.RehearsalConfirmation{{Performer: "U1", At: at, Confirmed: true}, {Performer: "U2", At: at, Note: "not so"}}}},
				Takes: []bot.Take{{Seq: 1, Session: 2, Beat: "b1", Choreo: 2, Note: "matched", Drifted: true, By: "U9", At: at}},
			},
			want: `{"id":"22","beats":[{"id":"b1","description":"kiss","kind":"contact","rev":2}],` +
				`"private":"{\"beats\":[{\"id\":\"b1\",\"choreo\":[{\"version\":1,\"text\":\"hand on shoulder\",\"by\":\"U9\",\"at\":\"2031-06-14T05:30:00.000000005Z\",\"changed\":[\"text\"]},` +
				`{\"version\":2,\"text\":\"hand on shoulder\",\"steps\":[\"turn\",\"hold 3 s\"],\"by\":\"U9\",\"at\":\"2031-06-14T05:30:00.000000005Z\",\"changed\":[\"steps\"]}],` +
				`\"exploratory\":true,\"explore\":[{\"performer\":\"U1\",\"rev\":2,\"at\":\"2031-06-14T05:30:00.000000005Z\"}]}],` +
				`\"rehearsals\":[{\"seq\":1,\"at\":\"2031-06-14T05:30:00.000000005Z\",\"by\":\"U9\",\"present\":[\"U1\",\"U2\"],\"beats\":[\"b1\"],\"explored\":[\"b1\"],\"changes\":\"slower\",` +
				`\"confirmations\":[{\"performer\":\"U1\",\"at\":\"2031-06-14T05:30:00.000000005Z\",\"confirmed\":true},{\"performer\":\"U2\",\"at\":\"2031-06-14T05:30:00.000000005Z\",\"confirmed\":false,\"note\":\"not so\"}]}],` +
				`\"takes\":[{\"seq\":1,\"session\":2,\"beat\":\"b1\",\"choreo\":2,\"note\":\"matched\",\"drifted\":true,\"by\":\"U9\",\"at\":\"2031-06-14T05:30:00.000000005Z\"}]}"}`,
			decode: decodeAs(sceneRecord.bot),
		},
		{
			name:   "empty scene leaves zero fields out",
			value:  bot.Scene{ID: "1"},
			want:   `{"id":"1"}`,
			decode: decodeAs(sceneRecord.bot),
		},
		{
			name: "session",
			value: bot.Session{
				Scene: "12A", Seq: 2, StartedBy: "U5", StartedAt: at, EndedBy: "U5", EndedAt: at,
				Roster: []bot.RosterMember{member}, Override: "why",
				Lock: bot.LockRecord{State: bot.LockEnforced, Problem: "p", Changes: bot.LockResult{Removed: []bot.UserID{"U8"}, Restore: []byte("xyz")}},
			},
			want: `{"scene":"12A","seq":2,"started_by":"U5","started_at":"2031-06-14T05:30:00.000000005Z","ended_by":"U5","ended_at":"2031-06-14T05:30:00.000000005Z",` +
				`"roster":[{"user":"U7","role":"camera","added_by":"U5","added_at":"2031-06-14T05:30:00.000000005Z","acked_at":"2031-06-14T05:30:01.000000005Z"}],` +
				`"override_sealed":"why","lock":{"state":"enforced","problem":"p","removed":["U8"],"restore":"eHl6"}}`,
			decode: decodeAs(sessionRecord.bot),
		},
		{
			name:   "running session without a lock",
			value:  bot.Session{Scene: "1", Seq: 1},
			want:   `{"scene":"1","seq":1}`,
			decode: decodeAs(sessionRecord.bot),
		},
		{
			name: "delivery",
			value: bot.Delivery{
				ID: 7, Caller: "U5", Reply: "https://hooks.example/r", Created: at, Attempts: 2, NextAttempt: at, LastError: "rate limited",
				Message: bot.Message{To: bot.Destination{Kind: bot.ToUser, User: "U1"}, Class: bot.ClassHoldCaller, Scene: "12A", Subject: "U1", Text: "held",
					Actions: []bot.Action{{Label: "Call a hold", Command: "/hold 12A"}}},
			},
			want: `{"id":7,"message":{"kind":2,"user":"U1","class":7,"scene":"12A","subject":"U1","text":"held","actions":[{"label":"Call a hold","command":"/hold 12A"}]},"caller":"U5","reply":"https://hooks.example/r",` +
				`"created":"2031-06-14T05:30:00.000000005Z","attempts":2,"next_attempt":"2031-06-14T05:30:00.000000005Z","last_error":"rate limited"}`,
			decode: decodeAs(deliveryRecord.bot),
		},
		{
			name: "delivery that builds a file when sent",
			value: bot.Delivery{
				ID: 8, Caller: "U5", Created: at, NextAttempt: at,
				Message: bot.Message{To: bot.Destination{Kind: bot.ToUser, User: "U5"}, Class: bot.ClassCrew, Scene: "12A", Text: "scene-12A.md"},
				File:    &bot.FileRequest{Report: "scene", Format: "md"},
			},
			want: `{"id":8,"message":{"kind":2,"user":"U5","class":2,"scene":"12A","text":"scene-12A.md"},"caller":"U5",` +
				`"created":"2031-06-14T05:30:00.000000005Z","next_attempt":"2031-06-14T05:30:00.000000005Z","file":{"report":"scene","format":"md"}}`,
			decode: decodeAs(deliveryRecord.bot),
		},
		{
			name: "reminder",
			value: bot.Reminder{
				ID: 9, Kind: bot.RemindCheckIn, Key: "check-in/12A/U1/1781415000", Scene: "12A", Performer: "U1", Session: 2,
				Due: at, Limit: at.Add(time.Hour), State: bot.ReminderSent, Attempts: 1, NextAttempt: at.Add(time.Minute),
				Created: at.Add(-time.Hour), SentAt: at.Add(2 * time.Minute), Answer: "talk", Note: "n", Answered: at.Add(3 * time.Minute),
			},
			want: `{"id":9,"kind":"check-in","key":"check-in/12A/U1/1781415000","scene":"12A","performer":"U1","session":2,` +
				`"due":"2031-06-14T05:30:00.000000005Z","limit":"2031-06-14T06:30:00.000000005Z","state":"sent","attempts":1,` +
				`"next_attempt":"2031-06-14T05:31:00.000000005Z","created":"2031-06-14T04:30:00.000000005Z","sent_at":"2031-06-14T05:32:00.000000005Z",` +
				`"answer":"talk","note":"n","answered":"2031-06-14T05:33:00.000000005Z"}`,
			decode: decodeAs(reminderRecord.bot),
		},
		{
			name: "reminder cancelled by a person",
			value: bot.Reminder{ID: 3, Kind: bot.RemindCheckIn, Key: "check-in/12A/U1/1781415000", Scene: "12A", Performer: "U1",
				Due: at, Limit: at, State: bot.ReminderCancelled, CancelledBy: "U5"},
			want: `{"id":3,"kind":"check-in","key":"check-in/12A/U1/1781415000","scene":"12A","performer":"U1",` +
				`"due":"2031-06-14T05:30:00.000000005Z","limit":"2031-06-14T05:30:00.000000005Z","state":"cancelled","cancelled_by":"U5"}`,
			decode: decodeAs(reminderRecord.bot),
		},
		{
			// Also how a record from before cancelled_by reads.
			name: "reminder cancelled by icbot has no cancelled_by",
			value: bot.Reminder{ID: 3, Kind: bot.RemindCheckIn, Key: "check-in/12A/U1/1781415000", Scene: "12A", Performer: "U1",
				Due: at, State: bot.ReminderCancelled},
			want: `{"id":3,"kind":"check-in","key":"check-in/12A/U1/1781415000","scene":"12A","performer":"U1",` +
				`"due":"2031-06-14T05:30:00.000000005Z","state":"cancelled"}`,
			decode: decodeAs(reminderRecord.bot),
		},
		{
			name:   "digest reminder leaves zero fields out",
			value:  bot.Reminder{ID: 1, Kind: bot.RemindDigest, Key: "digest/2031-06-14", Due: at, State: bot.ReminderPending},
			want:   `{"id":1,"kind":"digest","key":"digest/2031-06-14","due":"2031-06-14T05:30:00.000000005Z","state":"pending"}`,
			decode: decodeAs(reminderRecord.bot),
		},
		{
			name:   "audit record keeps empty fields",
			value:  bot.AuditRecord{Seq: 1, Time: at, Action: "scene.add", Hash: []byte{1, 2, 3}},
			want:   `{"seq":1,"time":"2031-06-14T05:30:00.000000005Z","actor":"","action":"scene.add","scene":"","summary":"","hash":"AQID"}`,
			decode: decodeAs(auditRecord.bot),
		},
	}
	timeEqual := cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := json.Marshal(toRecord(tt.value))
			if err != nil {
				t.Fatal(err)
			}
			if got, want := string(b), tt.want; got != want {
				t.Errorf("stored as\n%s\nwant\n%s", got, want)
			}
			back, err := tt.decode([]byte(tt.want))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.value, back, timeEqual); diff != "" {
				t.Errorf("read back (-want +got):\n%s", diff)
			}
		})
	}
}

// toRecord converts a bot value to its record, as the Tx methods do.
func toRecord(v any) any {
	switch v := v.(type) {
	case bot.ProductionInfo:
		return productionToRecord(v)
	case bot.Person:
		return personToRecord(v)
	case bot.Scene:
		return sceneToRecord(v)
	case bot.Session:
		return sessionToRecord(v)
	case bot.AuditRecord:
		return auditToRecord(v)
	case bot.Delivery:
		return deliveryToRecord(v)
	case bot.Reminder:
		return reminderToRecord(v)
	}
	panic("no record type")
}

func decodeAs[R any, T any](conv func(R) T) func([]byte) (any, error) {
	return func(b []byte) (any, error) {
		var r R
		err := json.Unmarshal(b, &r)
		return conv(r), err
	}
}

// TestSealedRecordFormat pins the records with sealed fields as an
// encrypted file stores them. Each sealed value must be version 1, a
// 12-byte nonce and the ciphertext with its 16-byte tag, and open with
// its additional data; the pins show it as SEALED(additional data), since
// the bytes differ with every nonce.
func TestSealedRecordFormat(t *testing.T) {
	at := time.Date(2031, 6, 14, 7, 30, 0, 5, time.UTC)
	key, err := newSealer(make([]byte, KeySize))
	if err != nil {
		t.Fatal(err)
	}
	c := &codec{key: key, encrypted: true, keyed: true}
	type sealedValue struct{ stored, aad, plain string }
	tests := []struct {
		name string
		// seal returns the record, sealed, and its sealed values.
		seal func(t *testing.T) (any, []sealedValue)
		want string
	}{
		{
			name: "scene: every hold's reason, even an empty one",
			seal: func(t *testing.T) (any, []sealedValue) {
				r := sceneToRecord(bot.Scene{ID: "12A", Version: 4, Holds: []bot.Hold{
					{Seq: 1, CalledBy: "U1", At: at, Reason: "cold"}, {Seq: 2, CalledBy: "U2", At: at},
				}})
				if err := c.sealScene(&r, nil); err != nil {
					t.Fatal(err)
				}
				return r, []sealedValue{
					{r.Holds[0].Reason, "scenes/12A/v4/hold/1/reason", "cold"},
					{r.Holds[1].Reason, "scenes/12A/v4/hold/2/reason", ""},
					{r.Private, "scenes/12A/v4/private", ""},
				}
			},
			want: `{"id":"12A","holds":[{"seq":1,"called_by":"U1","at":"2031-06-14T07:30:00.000000005Z","reason":"SEALED(scenes/12A/v4/hold/1/reason)"},` +
				`{"seq":2,"called_by":"U2","at":"2031-06-14T07:30:00.000000005Z","reason":"SEALED(scenes/12A/v4/hold/2/reason)"}],"version":4,` +
				`"private":"SEALED(scenes/12A/v4/private)"}`,
		},
		{
			name: "scene: the director's intent and the beats' notes",
			seal: func(t *testing.T) (any, []sealedValue) {
				r := sceneToRecord(bot.Scene{ID: "12A", Version: 5, Intent: bot.Intent{Text: "longing"},
					Beats: []bot.Beat{{ID: "b1", Camera: "wide"}}})
				if err := c.sealScene(&r, nil); err != nil {
					t.Fatal(err)
				}
				return r, []sealedValue{
					{r.Private, "scenes/12A/v5/private", `{"intent":"longing","beats":[{"id":"b1","camera":"wide"}]}`},
				}
			},
			want: `{"id":"12A","beats":[{"id":"b1"}],"version":5,"private":"SEALED(scenes/12A/v5/private)"}`,
		},
		{
			name: "delivery: text bound to its destination, and last error",
			seal: func(t *testing.T) (any, []sealedValue) {
				r := deliveryToRecord(bot.Delivery{ID: 17, Caller: "U5", Reply: "https://hooks.slack.com/commands/T1/2/x?y", Attempts: 1, LastError: "timeout",
					Message: bot.Message{To: bot.Destination{Kind: bot.ToUser, User: "U1"}, Class: bot.ClassHoldCaller, Scene: "12A", Subject: "U2",
						Text: "HOLD on scene 12A", Actions: []bot.Action{{Label: "Lift it", Command: "/hold lift 12A"}}}})
				if err := c.sealDelivery(&r); err != nil {
					t.Fatal(err)
				}
				return r, []sealedValue{
					{r.Message.Text, "outbox/17/text/to/2/U1//class/7/scene/12A/subject/U2/caller/U5/reply/" +
						"https:%2F%2Fhooks.slack.com%2Fcommands%2FT1%2F2%2Fx%3Fy/actions/1/Lift%20it/%2Fhold%20lift%2012A", "HOLD on scene 12A"},
					{r.LastError, "outbox/17/last_error", "timeout"},
				}
			},
			want: `{"id":17,"message":{"kind":2,"user":"U1","class":7,"scene":"12A","subject":"U2","text":"SEALED(outbox/17/text/to/2/U1//class/7/scene/12A/subject/U2/caller/U5/reply/` +
				`https:%2F%2Fhooks.slack.com%2Fcommands%2FT1%2F2%2Fx%3Fy/actions/1/Lift%20it/%2Fhold%20lift%2012A)",` +
				`"actions":[{"label":"Lift it","command":"/hold lift 12A"}]},"caller":"U5","reply":"https://hooks.slack.com/commands/T1/2/x?y","attempts":1,` +
				`"last_error":"SEALED(outbox/17/last_error)"}`,
		},
		{
			name: "delivery in a file of schema version 7: text bound to its place only",
			seal: func(t *testing.T) (any, []sealedValue) {
				v7 := &codec{key: key, encrypted: true}
				r := deliveryToRecord(bot.Delivery{ID: 17, Caller: "U5",
					Message: bot.Message{To: bot.Destination{Kind: bot.ToUser, User: "U1"}, Class: bot.ClassHoldCaller, Scene: "12A", Text: "HOLD on scene 12A"}})
				if err := v7.sealDelivery(&r); err != nil {
					t.Fatal(err)
				}
				return r, []sealedValue{
					{r.Message.Text, "outbox/17/text", "HOLD on scene 12A"},
					{r.LastError, "outbox/17/last_error", ""},
				}
			},
			want: `{"id":17,"message":{"kind":2,"user":"U1","class":7,"scene":"12A","text":"SEALED(outbox/17/text)"},"caller":"U5",` +
				`"last_error":"SEALED(outbox/17/last_error)"}`,
		},
		{
			name: "boundaries: the private part",
			seal: func(t *testing.T) (any, []sealedValue) {
				b := bot.Boundaries{Scene: "12A", Performer: "U1", Version: 3, At: at,
					Answers: []bot.BeatAnswer{{Beat: "b1", Rev: 2, Answer: bot.AnswerNo}}, Notes: "n", Garments: "g", Body: "b", Withdrawn: []string{"b1"}}
				private, _ := json.Marshal(boundariesPrivateOf(b))
				r := boundariesRecord{Scene: "12A", Performer: "U1", Version: 3, At: at, Private: private}
				if err := c.sealBoundaries(&r, nil); err != nil {
					t.Fatal(err)
				}
				return r, []sealedValue{{b64(r.Private), "boundaries/12A/U1/3/private",
					`{"answers":[{"beat":"b1","rev":2,"answer":"no"}],"notes":"n","garments":"g","body":"b","withdrawn":["b1"]}`}}
			},
			want: `{"scene":"12A","performer":"U1","version":3,"at":"2031-06-14T07:30:00.000000005Z","private":"SEALED(boundaries/12A/U1/3/private)"}`,
		},
		{
			name: "rider: the terms, even empty ones",
			seal: func(t *testing.T) (any, []sealedValue) {
				r := riderToRecord(bot.Rider{Scene: "12A", Performer: "U1", State: bot.RiderDrafted, Version: 7, DraftedAt: at})
				if err := c.sealRider(&r, nil); err != nil {
					t.Fatal(err)
				}
				return r, []sealedValue{{b64(r.Terms), "riders/12A/U1/v7/terms", ""}}
			},
			want: `{"scene":"12A","performer":"U1","state":"drafted","terms":"SEALED(riders/12A/U1/v7/terms)","drafted_at":"2031-06-14T07:30:00.000000005Z","version":7}`,
		},
		{
			name: "reminder: the note, bound to when it was answered",
			seal: func(t *testing.T) (any, []sealedValue) {
				r := reminderToRecord(bot.Reminder{ID: 9, Kind: bot.RemindAftercare, Key: "aftercare/12A/2/U1", Scene: "12A", Performer: "U1",
					Session: 2, Due: at, State: bot.ReminderSent, Answer: "talk", Note: "tired", Answered: at.Add(time.Hour)})
				if err := c.sealReminder(&r, nil); err != nil {
					t.Fatal(err)
				}
				return r, []sealedValue{{r.Note, "reminders/9/2031-06-14T08:30:00.000000005Z/note", "tired"}}
			},
			want: `{"id":9,"kind":"aftercare","key":"aftercare/12A/2/U1","scene":"12A","performer":"U1","session":2,"due":"2031-06-14T07:30:00.000000005Z",` +
				`"state":"sent","answer":"talk","note":"SEALED(reminders/9/2031-06-14T08:30:00.000000005Z/note)","answered":"2031-06-14T08:30:00.000000005Z"}`,
		},
		{
			name: "reminder: an empty note, not answered",
			seal: func(t *testing.T) (any, []sealedValue) {
				r := reminderToRecord(bot.Reminder{ID: 10, Kind: bot.RemindCheckIn, Due: at, State: bot.ReminderPending})
				if err := c.sealReminder(&r, nil); err != nil {
					t.Fatal(err)
				}
				return r, []sealedValue{{r.Note, "reminders/10/unanswered/note", ""}}
			},
			want: `{"id":10,"kind":"check-in","due":"2031-06-14T07:30:00.000000005Z","state":"pending","note":"SEALED(reminders/10/unanswered/note)"}`,
		},
		{
			name: "ids are escaped in the additional data",
			seal: func(t *testing.T) (any, []sealedValue) {
				r := riderToRecord(bot.Rider{Scene: "12A", Performer: "a/b c", Version: 1, Terms: "t"})
				if err := c.sealRider(&r, nil); err != nil {
					t.Fatal(err)
				}
				return r, []sealedValue{{b64(r.Terms), "riders/12A/a%2Fb%20c/v1/terms", "t"}}
			},
			want: `{"scene":"12A","performer":"a/b c","terms":"SEALED(riders/12A/a%2Fb%20c/v1/terms)","version":1}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, values := tt.seal(t)
			b, err := json.Marshal(r)
			if err != nil {
				t.Fatal(err)
			}
			got := string(b)
			for _, v := range values {
				raw := unb64(v.stored)
				if len(raw) != 1+12+len(v.plain)+16 || raw[0] != 1 {
					t.Errorf("%s: %d bytes starting %#x, want version 1, nonce, %d bytes and tag", v.aad, len(raw), raw[:1], len(v.plain))
				}
				plain, err := key.open(raw, v.aad)
				if err != nil || string(plain) != v.plain {
					t.Errorf("%s opens to %q, %v; want %q", v.aad, plain, err, v.plain)
				}
				got = strings.Replace(got, v.stored, "SEALED("+v.aad+")", 1)
			}
			if got != tt.want {
				t.Errorf("stored as\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

// TestRiderSentScope: a rider record keeps the scope its sent rider
// covered; one written before sent_scope existed is taken to cover the
// scope it was last marked at, so that an upgrade does not make signed
// riders count as sent late.
func TestRiderSentScope(t *testing.T) {
	for _, tt := range []struct {
		name, json string
		want       int
	}{
		{"written with sent_scope", `{"scene":"12","performer":"U1","state":"signed","sent_at":"2031-06-14T05:30:00Z","scope":3,"sent_scope":2}`, 2},
		{"written before sent_scope", `{"scene":"12","performer":"U1","state":"signed","sent_at":"2031-06-14T05:30:00Z","scope":3}`, 3},
		{"never sent", `{"scene":"12","performer":"U1","state":"drafted","scope":3}`, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var rec riderRecord
			if err := json.Unmarshal([]byte(tt.json), &rec); err != nil {
				t.Fatal(err)
			}
			r := rec.bot()
			if r.SentScope != tt.want {
				t.Errorf("SentScope = %d, want %d", r.SentScope, tt.want)
			}
			if back := riderToRecord(r); back.SentScope != tt.want {
				t.Errorf("written back as sent_scope %d, want %d", back.SentScope, tt.want)
			}
		})
	}
}
