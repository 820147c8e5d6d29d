package storage_test

import (
	"errors"
	"testing"

	"icbot/bot"
)

// TestPeopleVersion moves on with every person put or removed, and with
// nothing else; a write rolled back leaves it as it was.
func TestPeopleVersion(t *testing.T) {
	s := openStore(t)
	version := func() uint64 {
		t.Helper()
		var v uint64
		view(t, s, func(tx bot.Tx) error {
			var err error
			v, err = tx.PeopleVersion()
			return err
		})
		return v
	}
	last := version()
	for _, tc := range []struct {
		name  string
		write func(bot.Tx) error
		moves bool
	}{
		{"a person added", func(tx bot.Tx) error { return tx.PutPerson(bot.Person{ID: "ines", Roles: []bot.Role{bot.RoleIC}}) }, true},
		{"a person changed", func(tx bot.Tx) error { return tx.PutPerson(bot.Person{ID: "ines", Roles: []bot.Role{bot.RoleAD}}) }, true},
		{"a scene added", func(tx bot.Tx) error { return tx.PutScene(bot.Scene{ID: "12", Title: "t", Call: t0}) }, false},
		{"a person removed", func(tx bot.Tx) error { return tx.DeletePerson("ines") }, true},
	} {
		update(t, s, tc.write)
		if v := version(); (v != last) != tc.moves {
			t.Errorf("%s: version %d after %d, want it moved: %v", tc.name, v, last, tc.moves)
		}
		last = version()
	}
	stop := errors.New("rolled back")
	if err := s.Update(t.Context(), func(tx bot.Tx) error {
		if err := tx.PutPerson(bot.Person{ID: "adam"}); err != nil {
			return err
		}
		return stop
	}); !errors.Is(err, stop) {
		t.Fatal(err)
	}
	if v := version(); v != last {
		t.Errorf("a write rolled back moved the version from %d to %d", last, v)
	}
}
