package main

import (
	"bytes"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"icbot/bot"
	"icbot/storage"
	"icbot/storage/keyfile"
)

// keyFileWarning starts the line icbot logs when it creates a key file.
const keyFileWarning = "created encryption key file "

// withoutKeyFileWarning drops the key file's creation warning, which
// every first run on a new database logs, from stderr.
func withoutKeyFileWarning(stderr string) string {
	var keep []string
	for _, l := range strings.SplitAfter(stderr, "\n") {
		if !strings.Contains(l, keyFileWarning) {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "")
}

// keyOf reads the key file icbot keeps beside db.
func keyOf(t *testing.T, db string) []byte {
	t.Helper()
	key, err := keyfile.Read(storage.KeyFile(db))
	if err != nil {
		t.Fatal(err)
	}
	return key
}

// holdsText reports whether raw holds s in clear or base64-encoded (at
// any alignment), as []byte fields are stored.
func holdsText(raw []byte, s string) bool {
	if bytes.Contains(raw, []byte(s)) {
		return true
	}
	for pad := range 3 {
		enc := base64.StdEncoding.EncodeToString(append(make([]byte, pad), s...))
		start := 0
		if pad > 0 {
			start = 4
		}
		if inner := enc[start : len(enc)-4]; len(inner) >= 8 && bytes.Contains(raw, []byte(inner)) {
			return true
		}
	}
	return false
}

func noText(t *testing.T, path string, texts ...string) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range texts {
		if holdsText(raw, s) {
			t.Errorf("%s holds %q", path, s)
		}
	}
}

func TestKeyFile(t *testing.T) {
	env, path := dbEnv(t)
	keyPath := path + ".key"

	_, errs, code := icbot(t, `@ines /scene add 30 title="Stairs" call="2026-12-05 14:00" performers=@pete`+"\n", env)
	want := "created encryption key file " + keyPath + ": back it up with the database; without it the consent records cannot be read"
	if code != 0 || !strings.Contains(errs, want) || !strings.Contains(errs, "level=WARN") {
		t.Fatalf("first run: exit %d, stderr %q; want the warning %q", code, errs, want)
	}
	fi, err := os.Stat(keyPath)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != 0o600 {
		t.Errorf("key file mode %04o, want 0600", got)
	}
	key := keyOf(t, path)
	if st, err := storage.Inspect(path, key); err != nil || !st.Opens {
		t.Errorf("the key file does not open the database: %+v %v", st, err)
	}
	leftovers, _ := filepath.Glob(keyPath + ".*")
	if len(leftovers) > 0 {
		t.Errorf("files left beside the key: %v", leftovers)
	}

	t.Run("second run reuses it", func(t *testing.T) {
		out, errs, code := icbot(t, "/scene show 30\n", env)
		if code != 0 || strings.Contains(errs, keyFileWarning) || !strings.Contains(out, "Scene 30: Stairs") {
			t.Errorf("exit %d, stderr %q:\n%s", code, errs, out)
		}
		if !bytes.Equal(keyOf(t, path), key) {
			t.Error("the key file changed")
		}
	})
	t.Run("audit verify uses the key file", func(t *testing.T) {
		out, errs, code := icbot(t, "", map[string]string{"ICBOT_STORAGE_PATH": path}, "audit", "verify")
		if code != 0 || !strings.Contains(out, "OK") {
			t.Errorf("exit %d: %s%s", code, out, errs)
		}
	})
	t.Run("audit verify without the key", func(t *testing.T) {
		saved, _ := os.ReadFile(keyPath)
		defer os.WriteFile(keyPath, saved, 0o600)
		if err := os.Remove(keyPath); err != nil {
			t.Fatal(err)
		}
		_, errs, code := icbot(t, "", map[string]string{"ICBOT_STORAGE_PATH": path}, "audit", "verify")
		want := "database " + path + " is encrypted and its audit trail is keyed, so verifying it needs its key: set storage.encryption_key or restore the key file " + keyPath
		if code != exitError || !strings.Contains(errs, want) {
			t.Errorf("exit %d, stderr %q; want %q", code, errs, want)
		}
		if _, err := os.Stat(keyPath); !os.IsNotExist(err) {
			t.Error("audit verify made a key file")
		}
	})
	t.Run("key file readable by others", func(t *testing.T) {
		if err := os.Chmod(keyPath, 0o644); err != nil {
			t.Fatal(err)
		}
		defer os.Chmod(keyPath, 0o600)
		_, errs, code := icbot(t, "", env)
		want := "key file " + keyPath + " can be read by others (mode 0644): run chmod 600 " + keyPath
		if code != exitError || !strings.Contains(errs, want) {
			t.Errorf("exit %d, stderr %q; want %q", code, errs, want)
		}
	})
	t.Run("key file that holds no key", func(t *testing.T) {
		saved, _ := os.ReadFile(keyPath)
		defer os.WriteFile(keyPath, saved, 0o600)
		if err := os.WriteFile(keyPath, []byte("not a key\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		_, errs, code := icbot(t, "", env)
		if code != exitError || !strings.Contains(errs, "key file "+keyPath+" does not hold a key") {
			t.Errorf("exit %d, stderr %q", code, errs)
		}
	})
	t.Run("the key in the configuration", func(t *testing.T) {
		withKey := map[string]string{"ICBOT_STORAGE_PATH": path, "ICBOT_STORAGE_ENCRYPTION_KEY": base64.StdEncoding.EncodeToString(key)}
		out, _, code := icbot(t, "/scene show 30\n", withKey)
		if code != 0 || !strings.Contains(out, "Scene 30: Stairs") {
			t.Errorf("exit %d:\n%s", code, out)
		}
		other := bytes.Repeat([]byte{9}, 32)
		withKey["ICBOT_STORAGE_ENCRYPTION_KEY"] = base64.StdEncoding.EncodeToString(other)
		_, errs, code := icbot(t, "", withKey)
		want := "the encryption key does not open database " + path + " (it was sealed with key " + storage.KeyID(key) +
			", this key is " + storage.KeyID(other) + "): use the right storage.encryption_key or key file"
		if code != exitError || !strings.Contains(errs, want) {
			t.Errorf("exit %d, stderr %q; want %q", code, errs, want)
		}
	})
	t.Run("key file lost", func(t *testing.T) {
		saved, _ := os.ReadFile(keyPath)
		defer os.WriteFile(keyPath, saved, 0o600)
		if err := os.Remove(keyPath); err != nil {
			t.Fatal(err)
		}
		_, errs, code := icbot(t, "", env)
		want := "database " + path + " is encrypted, but no key was given: set storage.encryption_key or restore the key file " + keyPath
		if code != exitError || !strings.Contains(errs, want) {
			t.Errorf("exit %d, stderr %q; want %q", code, errs, want)
		}
		if _, err := os.Stat(keyPath); !os.IsNotExist(err) {
			t.Error("a new key file was made for an encrypted database")
		}
	})
}

// TestKeyFileSealsOlderDatabase starts icbot on a database written
// without a key, as icbot did before encryption: the first start creates
// the key file and seals what is there.
func TestKeyFileSealsOlderDatabase(t *testing.T) {
	env, path := dbEnv(t)
	const reason = "CANARY-older-reason-41c"
	st, err := storage.Open(path, storage.WithTimeout(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	err = st.Update(t.Context(), func(tx bot.Tx) error {
		return tx.PutScene(bot.Scene{ID: "40", Title: "Older", Holds: []bot.Hold{{Seq: 1, CalledBy: "U1", Reason: reason}}})
	})
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	out, errs, code := icbot(t, "/icbot role add @admin ic\n/scene show 40\n", env)
	if code != 0 || !strings.Contains(errs, keyFileWarning) || !strings.Contains(out, "Scene 40: Older") {
		t.Fatalf("exit %d, stderr %q:\n%s", code, errs, out)
	}
	noText(t, path, reason)
	st, err = storage.Open(path, storage.WithTimeout(time.Second), storage.WithKey(keyOf(t, path)))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	err = st.View(t.Context(), func(tx bot.Tx) error {
		sc, err := tx.Scene("40")
		if err == nil && sc.Holds[0].Reason != reason {
			t.Errorf("hold reason after sealing = %q", sc.Holds[0].Reason)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// rekeyScript writes a sealed value of every kind through the console.
var rekeyScript = strings.Join([]string{
	`@ines /scene add 30 title="Stairs" call="2026-12-05 14:00" performers=@pete`,
	`@ines /scene beat add 30 "Embrace on the stairs" kind=contact`,
	`@pete /boundaries answer 30 b1=yes notes="CANARY-rekey-notes" garments="CANARY-rekey-garments"`,
	`@ines /rider sent 30 @pete terms="CANARY-rekey-terms"`,
	`@pete /hold 30 "CANARY-rekey-reason"`,
}, "\n") + "\n"

var rekeyCanaries = []string{"CANARY-rekey-notes", "CANARY-rekey-garments", "CANARY-rekey-terms", "CANARY-rekey-reason"}

// TestInterruptedRekey leaves the files as a rekey cut short at each step
// would, and starts icbot: it always finds the database's key.
func TestInterruptedRekey(t *testing.T) {
	setup := func(t *testing.T) (map[string]string, string, []byte) {
		env, path := dbEnv(t)
		if _, errs, code := icbot(t, rekeyScript, env); code != 0 {
			t.Fatalf("script: exit %d: %s", code, errs)
		}
		return env, path, keyOf(t, path)
	}
	newKey := bytes.Repeat([]byte{0x5e}, 32)

	t.Run("before the database changed", func(t *testing.T) {
		env, path, oldKey := setup(t)
		if err := keyfile.Replace(path+".key.new", newKey); err != nil {
			t.Fatal(err)
		}
		out, errs, code := icbot(t, "@ines /boundaries show 30\n", env)
		if code != 0 || !strings.Contains(out, "CANARY-rekey-notes") || !strings.Contains(errs, "removed the new key of an icbot rekey that did not finish") {
			t.Errorf("exit %d, %s\n%s", code, errs, out)
		}
		if !bytes.Equal(keyOf(t, path), oldKey) {
			t.Error("the key file changed")
		}
		if _, err := os.Stat(path + ".key.new"); !os.IsNotExist(err) {
			t.Error("the unused new key is still there")
		}
	})
	t.Run("after the database changed, before the key file", func(t *testing.T) {
		env, path, oldKey := setup(t)
		if err := keyfile.Replace(path+".key.new", newKey); err != nil {
			t.Fatal(err)
		}
		st, err := storage.Open(path, storage.WithTimeout(time.Second), storage.WithKey(oldKey))
		if err != nil {
			t.Fatal(err)
		}
		if err := st.Rekey(t.Context(), newKey); err != nil {
			t.Fatal(err)
		}
		st.Close()
		out, errs, code := icbot(t, "@ines /boundaries show 30\n", env)
		if code != 0 || !strings.Contains(out, "CANARY-rekey-notes") || !strings.Contains(errs, "finished an interrupted icbot rekey") {
			t.Errorf("exit %d, %s\n%s", code, errs, out)
		}
		if !bytes.Equal(keyOf(t, path), newKey) {
			t.Error("the key file does not hold the new key")
		}
	})
}
