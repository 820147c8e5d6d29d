package keyfile_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"icbot/storage"
	"icbot/storage/keyfile"
)

func TestSizeIsStorageKeySize(t *testing.T) {
	if keyfile.Size != storage.KeySize {
		t.Errorf("keyfile.Size = %d, storage.KeySize = %d", keyfile.Size, storage.KeySize)
	}
}

func TestDecode(t *testing.T) {
	key := bytes.Repeat([]byte{0xfb, 0xff, 0x3e}, 11)[:32]
	for _, tt := range []struct {
		name, s string
		ok      bool
	}{
		{"standard", base64.StdEncoding.EncodeToString(key), true},
		{"standard unpadded", base64.RawStdEncoding.EncodeToString(key), true},
		{"URL", base64.URLEncoding.EncodeToString(key), true},
		{"URL unpadded", base64.RawURLEncoding.EncodeToString(key), true},
		{"empty", "", false},
		{"16 bytes", base64.StdEncoding.EncodeToString(key[:16]), false},
		{"33 bytes", base64.StdEncoding.EncodeToString(append(key, 1)), false},
		{"not base64", "not a key", false},
		{"surrounding space", " " + base64.StdEncoding.EncodeToString(key), false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := keyfile.Decode(tt.s)
			if ok != tt.ok || (ok && !bytes.Equal(got, key)) {
				t.Errorf("Decode(%q) = %x, %v; want ok %v", tt.s, got, ok, tt.ok)
			}
		})
	}
}

func TestCreateAndReplace(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "icbot.db.key")
	k1, k2 := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32)
	if err := keyfile.Create(path, k1); err != nil {
		t.Fatal(err)
	}
	if err := keyfile.Create(path, k2); !errors.Is(err, fs.ErrExist) {
		t.Errorf("creating over an existing key file: %v, want fs.ErrExist", err)
	}
	if got, err := keyfile.Read(path); err != nil || !bytes.Equal(got, k1) {
		t.Errorf("after a refused create: %x %v", got, err)
	}
	if err := keyfile.Replace(path, k2); err != nil {
		t.Fatal(err)
	}
	if got, err := keyfile.Read(path); err != nil || !bytes.Equal(got, k2) {
		t.Errorf("after replacing: %x %v", got, err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("mode: %v %v", fi, err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
	}
	for _, spelling := range []string{
		base64.StdEncoding.EncodeToString(k1), base64.RawStdEncoding.EncodeToString(k1),
		base64.URLEncoding.EncodeToString(k1), "  " + base64.StdEncoding.EncodeToString(k1) + "\r\n",
	} {
		if err := os.WriteFile(path, []byte(spelling), 0o600); err != nil {
			t.Fatal(err)
		}
		if got, err := keyfile.Read(path); err != nil || !bytes.Equal(got, k1) {
			t.Errorf("key file %q: %x %v", spelling, got, err)
		}
	}
}

// TestReadErrors checks that each way a key file can be unusable is said
// plainly, naming the file and what to do, without the system call's
// wording ("stat", "open").
func TestReadErrors(t *testing.T) {
	dir := t.TempDir()
	good := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32)) + "\n"
	write := func(name, content string, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
		return p
	}
	missing := filepath.Join(dir, "missing.key")
	open := write("open.key", good, 0o644)
	junk := write("junk.key", "not a key\n", 0o600)
	tests := []struct {
		name, path, want string
		is               error
	}{
		{"missing", missing, "key file " + missing + " does not exist", fs.ErrNotExist},
		{"a directory", dir, "key file " + dir + " is not a regular file", nil},
		{"readable by others", open, "key file " + open + " can be read by others (mode 0644): run chmod 600 " + open, nil},
		{"no key in it", junk, "key file " + junk + " does not hold a key: it must hold the base64 of 32 bytes (openssl rand -base64 32)", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := keyfile.Read(tt.path)
			if err == nil || err.Error() != tt.want {
				t.Fatalf("Read: %v\nwant: %s", err, tt.want)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("%v does not match %v", err, tt.is)
			}
			for _, internal := range []string{"stat ", "open ", "no such file"} {
				if strings.Contains(err.Error(), internal) {
					t.Errorf("%q shows %q", err, internal)
				}
			}
		})
	}
	if os.Getuid() != 0 {
		t.Run("unreadable", func(t *testing.T) {
			p := write("locked.key", good, 0o600)
			if err := os.Chmod(p, 0o200); err != nil {
				t.Fatal(err)
			}
			_, err := keyfile.Read(p)
			want := "key file " + p + " cannot be read: permission denied"
			if err == nil || !strings.HasPrefix(err.Error(), want) || !errors.Is(err, fs.ErrPermission) {
				t.Errorf("Read: %v, want it to start %q", err, want)
			}
		})
	}
}

func TestNew(t *testing.T) {
	a, err := keyfile.New()
	if err != nil {
		t.Fatal(err)
	}
	b, err := keyfile.New()
	if err != nil {
		t.Fatal(err)
	}
	if len(a) != keyfile.Size || bytes.Equal(a, b) {
		t.Errorf("New gave %x then %x", a, b)
	}
	if got, ok := keyfile.Decode(keyfile.Encode(a)); !ok || !bytes.Equal(got, a) {
		t.Errorf("Decode(Encode(key)) = %x %v", got, ok)
	}
}

// TestWriteErrors checks that a key file that cannot be written, moved
// or removed is said plainly, still matching the cause.
func TestWriteErrors(t *testing.T) {
	dir := t.TempDir()
	key := bytes.Repeat([]byte{3}, 32)
	missingDir := filepath.Join(dir, "no-such-dir", "icbot.db.key")
	tests := []struct {
		name string
		err  error
		want string
		is   error
	}{
		{"create in a missing directory", keyfile.Create(missingDir, key),
			"key file " + missingDir + " cannot be written: its directory does not exist", fs.ErrNotExist},
		{"replace in a missing directory", keyfile.Replace(missingDir, key),
			"key file " + missingDir + " cannot be written: its directory does not exist", fs.ErrNotExist},
		{"move a missing file", keyfile.Move(filepath.Join(dir, "a.key.new"), filepath.Join(dir, "a.key")),
			"key file " + filepath.Join(dir, "a.key.new") + " does not exist", fs.ErrNotExist},
		{"remove a missing file", keyfile.Remove(filepath.Join(dir, "b.key")),
			"key file " + filepath.Join(dir, "b.key") + " does not exist", fs.ErrNotExist},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.err == nil || tt.err.Error() != tt.want || !errors.Is(tt.err, tt.is) {
				t.Errorf("%v\nwant %s", tt.err, tt.want)
			}
			for _, internal := range []string{"open ", "rename ", "remove ", "no such file", ".tmp-"} {
				if tt.err != nil && strings.Contains(tt.err.Error(), internal) {
					t.Errorf("%q shows %q", tt.err, internal)
				}
			}
		})
	}
	t.Run("create over an existing file", func(t *testing.T) {
		path := filepath.Join(dir, "c.key")
		if err := keyfile.Create(path, key); err != nil {
			t.Fatal(err)
		}
		err := keyfile.Create(path, key)
		if want := "key file " + path + " already exists"; err == nil || err.Error() != want || !errors.Is(err, fs.ErrExist) {
			t.Errorf("%v, want %s", err, want)
		}
	})
	t.Run("move", func(t *testing.T) {
		from, to := filepath.Join(dir, "d.key.new"), filepath.Join(dir, "d.key")
		if err := keyfile.Create(from, key); err != nil {
			t.Fatal(err)
		}
		if err := keyfile.Move(from, to); err != nil {
			t.Fatal(err)
		}
		if got, err := keyfile.Read(to); err != nil || !bytes.Equal(got, key) {
			t.Errorf("after Move: %x %v", got, err)
		}
		if _, err := os.Stat(from); !os.IsNotExist(err) {
			t.Errorf("%s is still there", from)
		}
	})
}
