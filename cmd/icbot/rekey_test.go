package main

import (
	"bytes"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"icbot/bot"
	"icbot/storage"
)

// sealedCheck is the raw meta/key_check of a closed database.
func sealedCheck(t *testing.T, path string) []byte {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var check []byte
	_ = db.View(func(tx *bolt.Tx) error {
		check = bytes.Clone(tx.Bucket([]byte("meta")).Get([]byte("key_check")))
		return nil
	})
	if len(check) == 0 {
		t.Fatal("no key check")
	}
	return check
}

// readHold opens the database with key and returns hold 1 of scene 30.
func readHold(t *testing.T, path string, key []byte) (bot.Hold, error) {
	t.Helper()
	st, err := storage.Open(path, storage.WithTimeout(time.Second), storage.WithKey(key))
	if err != nil {
		return bot.Hold{}, err
	}
	defer st.Close()
	var h bot.Hold
	err = st.View(t.Context(), func(tx bot.Tx) error {
		sc, err := tx.Scene("30")
		if err == nil && len(sc.Holds) > 0 {
			h = sc.Holds[0]
		}
		return err
	})
	return h, err
}

func TestRekey(t *testing.T) {
	env, path := dbEnv(t)
	keyPath := path + ".key"
	if _, errs, code := icbot(t, rekeyScript, env); code != 0 {
		t.Fatalf("script: exit %d: %s", code, errs)
	}
	noText(t, path, rekeyCanaries...)
	oldKey := keyOf(t, path)
	oldCheck := sealedCheck(t, path)
	before, errs, code := icbot(t, "", env, "audit", "verify")
	if code != 0 {
		t.Fatalf("audit verify before rekey: exit %d: %s", code, errs)
	}

	out, errs, code := icbot(t, "", env, "rekey")
	if code != 0 {
		t.Fatalf("rekey: exit %d: %s%s", code, out, errs)
	}
	newKey := keyOf(t, path)
	if bytes.Equal(newKey, oldKey) {
		t.Fatal("the key file still holds the old key")
	}
	for _, want := range []string{
		"Database " + path + " is now sealed with key " + storage.KeyID(newKey) + " (it was " + storage.KeyID(oldKey) + ")",
		"The new key is in " + keyPath + ": back it up with the database",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("rekey output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, base64.StdEncoding.EncodeToString(newKey)) {
		t.Error("rekey printed the key it wrote to the key file")
	}
	if fi, err := os.Stat(keyPath); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("key file after rekey: %v %v", fi, err)
	}
	if leftovers, _ := filepath.Glob(path + ".*"); len(leftovers) != 1 {
		t.Errorf("files beside the database after rekey: %v", leftovers)
	}

	// The audit trail and the roles verify with the new key: the chain
	// and its head were keyed anew (another head for the same records).
	after, errs, code := icbot(t, "", env, "audit", "verify")
	if code != 0 || !strings.Contains(after, "records of "+path+": OK") {
		t.Fatalf("audit verify after rekey: exit %d: %s%s", code, after, errs)
	}
	if headLine(before) == headLine(after) || !strings.Contains(after, "OK, 7 records") {
		t.Errorf("audit verify before rekey:\n%s\nafter:\n%s", before, after)
	}
	if _, head, _ := strings.Cut(headLine(after), ", head "); !strings.Contains(out, "The audit trail is chained with the new key: 7 records, head "+head) {
		t.Errorf("rekey does not give the new head %s:\n%s", head, out)
	}

	// The state is intact with the new key...
	out, errs, code = icbot(t, "/scene show 30\n@ines /boundaries show 30\n@ines /hold lift 30\n", env)
	if code != 0 {
		t.Fatalf("after rekey: exit %d: %s", code, errs)
	}
	for _, want := range []string{"Status: on-hold", "CANARY-rekey-notes", "CANARY-rekey-garments", "Hold lifted on scene 30"} {
		if !strings.Contains(out, want) {
			t.Errorf("after rekey the output lacks %q:\n%s", want, out)
		}
	}
	if h, err := readHold(t, path, newKey); err != nil || h.Reason != "CANARY-rekey-reason" {
		t.Errorf("hold with the new key: %+v %v", h, err)
	}
	// ...the old key opens nothing, and nothing it sealed is left.
	if _, err := readHold(t, path, oldKey); !errors.Is(err, storage.ErrWrongKey) {
		t.Errorf("the old key: %v, want ErrWrongKey", err)
	}
	raw, _ := os.ReadFile(path)
	if bytes.Contains(raw, oldCheck) {
		t.Error("the file still holds the key check sealed with the old key")
	}
	noText(t, path, rekeyCanaries...)
}

func TestRekeyConfiguredKey(t *testing.T) {
	_, path := dbEnv(t)
	oldKey := bytes.Repeat([]byte{0x42}, 32)
	env := map[string]string{"ICBOT_STORAGE_PATH": path, "ICBOT_PRODUCTION_TIMEZONE": "Europe/London",
		"ICBOT_STORAGE_ENCRYPTION_KEY": base64.StdEncoding.EncodeToString(oldKey)}
	if _, errs, code := icbot(t, rekeyScript, env); code != 0 || withoutLogNotice(errs) != "" {
		t.Fatalf("script: exit %d: %s", code, errs)
	}
	if _, err := os.Stat(path + ".key"); !os.IsNotExist(err) {
		t.Errorf("a key file was written although the key is configured")
	}
	out, errs, code := icbot(t, "", env, "rekey")
	if code != 0 {
		t.Fatalf("rekey: exit %d: %s%s", code, out, errs)
	}
	m := regexp.MustCompile(`(?m)^([A-Za-z0-9+/]{43}=)$`).FindStringSubmatch(out)
	if m == nil || !strings.Contains(out, "Put the key shown above into storage.encryption_key") {
		t.Fatalf("rekey did not show the new key:\n%s", out)
	}
	if _, err := os.Stat(path + ".key"); !os.IsNotExist(err) {
		t.Errorf("rekey wrote a key file although the key is configured")
	}
	if _, errs, code := icbot(t, "", env); code != exitError || !strings.Contains(errs, "the encryption key does not open database") {
		t.Errorf("old configured key after rekey: exit %d, %q", code, errs)
	}
	env["ICBOT_STORAGE_ENCRYPTION_KEY"] = m[1]
	out, errs, code = icbot(t, "@ines /boundaries show 30\n", env)
	if code != 0 || !strings.Contains(out, "CANARY-rekey-notes") {
		t.Errorf("new configured key: exit %d, %s\n%s", code, errs, out)
	}
}

func TestRekeyNewKeyFile(t *testing.T) {
	env, path := dbEnv(t)
	if _, errs, code := icbot(t, rekeyScript, env); code != 0 {
		t.Fatalf("script: exit %d: %s", code, errs)
	}
	given := bytes.Repeat([]byte{0x17}, 32)
	file := filepath.Join(t.TempDir(), "next.key")
	if err := os.WriteFile(file, []byte(base64.StdEncoding.EncodeToString(given)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, errs, code := icbot(t, "", env, "rekey", "--new-key-file", file)
	if code != exitError || !strings.Contains(errs, "can be read by others") {
		t.Errorf("a new key file readable by others: exit %d, %q", code, errs)
	}
	os.Chmod(file, 0o600)
	if out, errs, code := icbot(t, "", env, "rekey", "--new-key-file", file); code != 0 {
		t.Fatalf("rekey: exit %d: %s%s", code, out, errs)
	}
	if !bytes.Equal(keyOf(t, path), given) {
		t.Error("the key file does not hold the given key")
	}
	_, errs, code = icbot(t, "", env, "rekey", "--new-key-file", file)
	if code != exitError || !strings.Contains(errs, "the new key is the key database") {
		t.Errorf("rekey to the same key: exit %d, %q", code, errs)
	}
	if out, errs, code := icbot(t, "@ines /boundaries show 30\n", env); code != 0 || !strings.Contains(out, "CANARY-rekey-notes") {
		t.Errorf("after rekey: exit %d, %s\n%s", code, errs, out)
	}
}

func TestRekeyRefusals(t *testing.T) {
	t.Run("no database", func(t *testing.T) {
		env, path := dbEnv(t)
		_, errs, code := icbot(t, "", env, "rekey")
		if code != exitError || !strings.Contains(errs, "there is no database at "+path) {
			t.Errorf("exit %d, %q", code, errs)
		}
		if _, err := os.Stat(path); !os.IsNotExist(err) {
			t.Error("rekey created a database")
		}
	})
	t.Run("bot running", func(t *testing.T) {
		env, path := dbEnv(t)
		if _, errs, code := icbot(t, "", env); code != 0 {
			t.Fatal(errs)
		}
		st, err := storage.Open(path, storage.WithTimeout(time.Second), storage.WithKey(keyOf(t, path)))
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		env["ICBOT_STORAGE_OPEN_TIMEOUT"] = "200ms"
		_, errs, code := icbot(t, "", env, "rekey")
		if code != exitError || !strings.Contains(errs, "in use by another icbot process") || !strings.Contains(errs, "stop icbot before icbot rekey") {
			t.Errorf("exit %d, %q", code, errs)
		}
	})
	t.Run("unknown flag elsewhere", func(t *testing.T) {
		env, _ := dbEnv(t)
		if _, _, code := icbot(t, "", env, "--new-key-file", "x"); code != exitUsage {
			t.Errorf("--new-key-file outside rekey: exit %d", code)
		}
	})
}

// headLine is the line of `icbot audit verify` that gives the head.
func headLine(out string) string {
	line, _, _ := strings.Cut(out, "\n")
	return line
}
