package config

import (
	"os"
	"testing"
	"time"
)

func TestLocation(t *testing.T) {
	t.Run("hand-built before Validate", func(t *testing.T) {
		c := Default()
		c.Production.Timezone = "Asia/Tokyo"
		if got := c.Location().String(); got != "Asia/Tokyo" {
			t.Errorf("Location() = %s", got)
		}
		c.Production.Timezone = "Nowhere/Zone"
		if got, want := c.Location().String(), systemZone().String(); got != want {
			t.Errorf("Location() = %v, want the machine's zone %s", got, want)
		}
	})
	t.Run("after Validate", func(t *testing.T) {
		c := Default()
		c.Production.Timezone = "UTC"
		if err := c.Validate(); err != nil {
			t.Fatal(err)
		}
		if c.Location() != time.UTC {
			t.Errorf("Location() = %v", c.Location())
		}
	})
}

// TestSystemZone checks that the machine's zone is named as people name
// it, not "Local", whenever a name with the same rules can be found.
func TestSystemZone(t *testing.T) {
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	// A machine's zone, as Go names it, whose rules are not London's.
	local := time.FixedZone("Local", 0)
	if sameRules(local, london) {
		t.Fatal("a fixed zone has London's rules")
	}
	noFile := func(string) ([]byte, error) { return nil, os.ErrNotExist }
	noLink := func(string) (string, error) { return "", os.ErrNotExist }
	link := func(target string) func(string) (string, error) {
		return func(string) (string, error) { return target, nil }
	}
	file := func(content string) func(string) ([]byte, error) {
		return func(string) ([]byte, error) { return []byte(content), nil }
	}
	tests := []struct {
		name     string
		local    *time.Location
		env      map[string]string
		readlink func(string) (string, error)
		readFile func(string) ([]byte, error)
		want     string
	}{
		{"TZ names it", local, map[string]string{"TZ": "Asia/Tokyo"}, noLink, noFile, "Asia/Tokyo"},
		{"TZ with a colon", local, map[string]string{"TZ": ":Asia/Tokyo"}, noLink, noFile, "Asia/Tokyo"},
		{"TZ empty is UTC", local, map[string]string{"TZ": ""}, noLink, noFile, "UTC"},
		{"TZ that does not load", local, map[string]string{"TZ": "/some/file"}, link("/usr/share/zoneinfo/Europe/London"), noFile, "Local"},
		{"the link of /etc/localtime", london, nil, link("/usr/share/zoneinfo/Europe/London"), noFile, "Europe/London"},
		{"a relative link", london, nil, link("../usr/share/zoneinfo/Europe/London"), noFile, "Europe/London"},
		{"/etc/timezone", london, nil, noLink, file("Europe/London\n"), "Europe/London"},
		{"a name that disagrees with the zone in use", local, nil, link("/usr/share/zoneinfo/Europe/London"), file("Europe/London\n"), "Local"},
		{"nothing names it", local, nil, noLink, noFile, "Local"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := systemZoneFrom(tt.local, mapEnv(tt.env), tt.readlink, tt.readFile)
			if got.String() != tt.want {
				t.Errorf("systemZoneFrom = %s, want %s", got, tt.want)
			}
		})
	}
	t.Run("this machine", func(t *testing.T) {
		if got := systemZone(); !sameRules(got, time.Local) {
			t.Errorf("systemZone() = %s, whose rules are not time.Local's", got)
		}
	})
}

// TestLocalMeansTheSystemZone: production.timezone=Local, Go's word for
// the machine's zone, is read as the machine's zone by its name, as an
// empty value is, so that no message says "in Local".
func TestLocalMeansTheSystemZone(t *testing.T) {
	local, err := loadZone("Local")
	if err != nil {
		t.Fatal(err)
	}
	empty, _ := loadZone("")
	if local.String() != empty.String() {
		t.Errorf("Local is %q, the empty value %q", local, empty)
	}
}
