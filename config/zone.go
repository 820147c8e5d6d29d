package config

import (
	"fmt"
	"os"
	"strings"
	"time"
)

// loadZone resolves production.timezone, "" meaning the system zone.
func loadZone(name string) (*time.Location, error) {
	if name == "" || name == "Local" {
		// "Local" is Go's word for the machine's zone, not a zone's
		// name: it means the same as leaving the key empty.
		return systemZone(), nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("unknown time zone %q (expected an IANA name such as Europe/London)", name)
	}
	return loc, nil
}

// systemZone is the machine's time zone under its IANA name. Go calls
// the machine's zone "Local", which means nothing to someone reading
// "call times are in Local"; the zone that TZ or /etc/localtime names
// is the same zone with the name people know. When no name can be found
// that keeps the same rules, it is time.Local.
func systemZone() *time.Location {
	return systemZoneFrom(time.Local, os.LookupEnv, os.Readlink, os.ReadFile)
}

// systemZoneFrom is systemZone with the machine's surroundings passed in:
// local is Go's reading of the zone, which a name found in a file must
// agree with.
func systemZoneFrom(local *time.Location, lookupEnv func(string) (string, bool),
	readlink func(string) (string, error), readFile func(string) ([]byte, error)) *time.Location {
	if tz, ok := lookupEnv("TZ"); ok {
		// Go reads TZ the same way (a leading ':' ignored, empty meaning
		// UTC), so a name that loads is exactly its zone.
		name := strings.TrimPrefix(tz, ":")
		if name == "" || name == "UTC" {
			return time.UTC
		}
		if loc, err := time.LoadLocation(name); err == nil {
			return loc
		}
		return local
	}
	var names []string
	if target, err := readlink("/etc/localtime"); err == nil {
		if i := strings.LastIndex(target, "zoneinfo/"); i >= 0 {
			names = append(names, target[i+len("zoneinfo/"):])
		}
	}
	if b, err := readFile("/etc/timezone"); err == nil {
		names = append(names, strings.TrimSpace(string(b)))
	}
	for _, name := range names {
		if name == "" {
			continue
		}
		if loc, err := time.LoadLocation(name); err == nil && sameRules(loc, local) {
			return loc
		}
	}
	return local
}

// sameRules reports whether two zones give the same offsets from UTC at
// every half month from 2000 to 2040, which is what matters for the
// times icbot reads and shows.
func sameRules(a, b *time.Location) bool {
	for y := 2000; y <= 2040; y++ {
		for m := time.January; m <= time.December; m++ {
			for _, d := range []int{1, 15} {
				t := time.Date(y, m, d, 12, 0, 0, 0, time.UTC)
				_, oa := t.In(a).Zone()
				_, ob := t.In(b).Zone()
				if oa != ob {
					return false
				}
			}
		}
	}
	return true
}
