package main

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"icbot/bot"
)

// rawUpdate edits a closed database with bbolt, as someone with the file
// but not the key could.
func rawUpdate(t *testing.T, path string, fn func(tx *bolt.Tx) error) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Update(fn); err != nil {
		t.Fatal(err)
	}
}

// TestRoleEditedInFileRefused is a forged role: @pete, a performer, is
// given the ic role by editing the database file without the key.
// Before, icbot took the role as given and showed him every performer's
// boundaries. Now his record does not verify: icbot fails closed (the
// console's demo start refuses, and his command gets the generic error
// and shows nothing), and `icbot audit verify` names the record.
func TestRoleEditedInFileRefused(t *testing.T) {
	env, path := dbEnv(t)
	if _, errs, code := icbot(t, "/scene show 12\n", env); code != 0 {
		t.Fatalf("first run: %s", errs)
	}
	rawUpdate(t, path, func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("people"))
		var rec map[string]any
		if err := json.Unmarshal(b.Get([]byte("pete")), &rec); err != nil {
			return err
		}
		rec["roles"] = []string{"performer", "ic"}
		v, _ := json.Marshal(rec)
		return b.Put([]byte("pete"), v)
	})

	// The console's demo reads everyone at start: it does not start.
	_, errs, code := icbot(t, "", env)
	if want := "record people/pete does not verify with the key"; code != exitError || !strings.Contains(errs, want) {
		t.Errorf("start: exit %d, stderr %q; want a refusal naming the record", code, errs)
	}
	// Without the demo, the command as @pete reads his record, and fails.
	out, errs, code := icbot(t, "@pete /boundaries show 12\n@ines /scene show 12\n", env, "--empty")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if strings.Contains(out, "nude-coloured thong") || strings.Contains(out, "@paula, scene 12") {
		t.Errorf("a forged IC read a performer's boundaries:\n%s", out)
	}
	if !strings.Contains(out, "Something went wrong on icbot's side; nothing was changed.") {
		t.Errorf("the forged role is not refused:\n%s", out)
	}

	vout, verrs, code := icbot(t, "", env, "audit", "verify")
	want := "records of " + path + ": BROKEN: record people/pete does not verify with the key"
	if code != exitError || !strings.Contains(verrs, want) {
		t.Errorf("audit verify: exit %d, stderr %q; want %q", code, verrs, want)
	}
	if !strings.Contains(vout, "audit trail of "+path+": OK") {
		t.Errorf("the audit trail itself was not touched, but: %s", vout)
	}
}

// TestAuditVerifyCatchesRehashedRewrite: an actor rewritten in the file
// and the chain computed again with SHA-256 from there, with the head to
// match. That passed `icbot audit verify` before; the chain is keyed
// now, and verify names the record.
func TestAuditVerifyCatchesRehashedRewrite(t *testing.T) {
	env, path := dbEnv(t)
	script := "/closedset start 12\n@paula /hold 12\n@ines /hold lift 12\n/closedset end 12\n"
	if _, errs, code := icbot(t, script, env); code != 0 {
		t.Fatalf("script: %s", errs)
	}
	rawUpdate(t, path, func(tx *bolt.Tx) error {
		b, meta := tx.Bucket([]byte("audit")), tx.Bucket([]byte("meta"))
		prev := make([]byte, sha256.Size)
		var n uint64
		c := b.Cursor()
		var recs [][2][]byte
		for k, v := c.First(); k != nil; k, v = c.Next() {
			recs = append(recs, [2][]byte{append([]byte(nil), k...), append([]byte(nil), v...)})
		}
		for _, kv := range recs {
			var r struct {
				Seq                           uint64
				Time                          time.Time
				Actor, Action, Scene, Summary string
				Hash                          []byte
			}
			if err := json.Unmarshal(kv[1], &r); err != nil {
				return err
			}
			if r.Seq >= 3 {
				if r.Seq == 3 {
					r.Actor = "gary"
				}
				r.Hash = bot.ChainHash(prev, bot.AuditRecord{Seq: r.Seq, Time: r.Time, Actor: bot.UserID(r.Actor),
					Action: r.Action, Scene: bot.SceneID(r.Scene), Summary: r.Summary})
				v, _ := json.Marshal(map[string]any{"seq": r.Seq, "time": r.Time, "actor": r.Actor, "action": r.Action,
					"scene": r.Scene, "summary": r.Summary, "hash": r.Hash})
				if err := b.Put(kv[0], v); err != nil {
					return err
				}
			}
			prev, n = r.Hash, r.Seq
		}
		return meta.Put([]byte("audit_head"), append(binary.BigEndian.AppendUint64(nil, n), prev...))
	})
	_, errs, code := icbot(t, "", env, "audit", "verify")
	if code != exitError || !strings.Contains(errs, "BROKEN") || !strings.Contains(errs, "audit record 3") {
		t.Errorf("exit %d, stderr %q; want BROKEN naming audit record 3", code, errs)
	}
}
