package main

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"sync/atomic"
	"time"

	slackapi "github.com/slack-go/slack"
	bolt "go.etcd.io/bbolt"
)

// server is one side under load.
type server interface {
	// url is the base URL of its Slack endpoints.
	url() string
	// responseURL is the response_url the commands carry.
	responseURL() string
	// check says whether every one of acked acknowledged commands is in
	// its database.
	check(acked uint64) error
	close() error
}

// floorBucket holds the floor's writes.
var floorBucket = []byte("requests")

// floor is the least a state-changing command can cost: the request read,
// its signature checked as icbot checks it, one bbolt write synced to
// disk, and a JSON answer. Concurrent requests take turns at bbolt's one
// writer, each with its own fsync.
type floor struct {
	db  *bolt.DB
	srv *http.Server
	ln  net.Listener
	n   atomic.Uint64
}

func startFloor(dir string, _ int) (server, error) {
	db, err := bolt.Open(filepath.Join(dir, "floor.db"), 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		return nil, err
	}
	err = db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket(floorBucket); return err })
	if err != nil {
		db.Close()
		return nil, err
	}
	f := &floor{db: db}
	if f.ln, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
		db.Close()
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /slack/commands", f.command)
	f.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go f.srv.Serve(f.ln)
	return f, nil
}

func (f *floor) command(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		http.Error(w, "unreadable body", http.StatusBadRequest)
		return
	}
	sv, err := slackapi.NewSecretsVerifier(r.Header, signingSecret)
	if err == nil {
		_, _ = sv.Write(body)
		err = sv.Ensure()
	}
	if err != nil {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	key := binary.BigEndian.AppendUint64(nil, f.n.Add(1))
	err = f.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(floorBucket).Put(key, body) })
	if err != nil {
		http.Error(w, "not stored", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]string{"response_type": "ephemeral", "text": "ok"})
}

func (f *floor) url() string         { return "http://" + f.ln.Addr().String() }
func (f *floor) responseURL() string { return "http://" + f.ln.Addr().String() + "/response" }

func (f *floor) check(acked uint64) error {
	var n int
	err := f.db.View(func(tx *bolt.Tx) error {
		n = tx.Bucket(floorBucket).Stats().KeyN
		return nil
	})
	if err == nil && uint64(n) < acked {
		err = fmt.Errorf("floor: %d requests stored, %d acknowledged", n, acked)
	}
	return err
}

func (f *floor) close() error {
	return errors.Join(f.srv.Close(), f.db.Close())
}
