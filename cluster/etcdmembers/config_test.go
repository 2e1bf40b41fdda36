package etcdmembers

import (
	"strings"
	"testing"
	"time"
)

// TestValidate states which configurations are refused, and that each
// refusal names the bad field.
func TestValidate(t *testing.T) {
	good := DefaultConfig()
	good.Endpoints = []string{"http://127.0.0.1:2379", "127.0.0.1:2380"}
	good.OnLeaseLost = func(error) {}
	if err := good.Validate(); err != nil {
		t.Fatalf("Validate(good) = %v; want nil", err)
	}
	tests := []struct {
		name string
		edit func(*Config)
		want string // in the error
	}{
		{"no endpoints", func(c *Config) { c.Endpoints = nil }, "no endpoints"},
		{"too many endpoints", func(c *Config) { c.Endpoints = make([]string, maxEndpoints+1) }, "endpoints"},
		{"endpoint without port", func(c *Config) { c.Endpoints = []string{"http://127.0.0.1"} }, `"http://127.0.0.1"`},
		{"endpoint of another scheme", func(c *Config) { c.Endpoints = []string{"unix://x:1"} }, "unix://x:1"},
		{"endpoint with a path", func(c *Config) { c.Endpoints = []string{"http://h:1/v2"} }, "http://h:1/v2"},
		{"long endpoint capped", func(c *Config) { c.Endpoints = []string{strings.Repeat("x", 1000)} }, "..."},
		{"TTL zero", func(c *Config) { c.TTL = 0 }, "lease-ttl"},
		{"TTL under a second", func(c *Config) { c.TTL = 500 * time.Millisecond }, "lease-ttl"},
		{"TTL not whole seconds", func(c *Config) { c.TTL = 2500 * time.Millisecond }, "whole number of seconds"},
		{"TTL too long", func(c *Config) { c.TTL = time.Hour }, "lease-ttl"},
		{"dial timeout zero", func(c *Config) { c.DialTimeout = 0 }, "dial timeout"},
		{"no OnLeaseLost", func(c *Config) { c.OnLeaseLost = nil }, "OnLeaseLost"},
		{"relative prefix", func(c *Config) { c.Prefix = "members" }, "prefix"},
		{"prefix ending in /", func(c *Config) { c.Prefix = "/members/" }, "prefix"},
	}
	for _, tc := range tests {
		c := good
		c.Endpoints = append([]string(nil), good.Endpoints...)
		tc.edit(&c)
		err := c.Validate()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Validate() = %v; want an error containing %q", tc.name, err, tc.want)
		}
		if err != nil && len(err.Error()) > 200 {
			t.Errorf("%s: error of %d bytes; want a capped value", tc.name, len(err.Error()))
		}
	}
}

// TestDecodeMember states which member values read from etcd are ignored.
func TestDecodeMember(t *testing.T) {
	const dir = "/p/c/"
	tests := []struct {
		name, key, value string
		ok               bool
	}{
		{"good", dir + "id1", `{"id":"id1","host":"127.0.0.1","port":7000,"kinds":["room"]}`, true},
		{"id not its key", dir + "id2", `{"id":"id1","host":"127.0.0.1","port":7000}`, false},
		{"empty id", dir, `{"id":"","host":"127.0.0.1","port":7000}`, false},
		{"no host", dir + "id1", `{"id":"id1","port":7000}`, false},
		{"bad port", dir + "id1", `{"id":"id1","host":"h","port":70000}`, false},
		{"not JSON", dir + "id1", `id1`, false},
		{"too long", dir + "id1", `{"id":"id1","host":"h","port":1,"x":"` + strings.Repeat("a", maxValue) + `"}`, false},
		{"too many kinds", dir + "id1", `{"id":"id1","host":"h","port":1,"kinds":[` +
			strings.Repeat(`"k",`, maxKinds) + `"k"]}`, false},
	}
	for _, tc := range tests {
		_, err := decodeMember(dir, []byte(tc.key), []byte(tc.value))
		if (err == nil) != tc.ok {
			t.Errorf("%s: decodeMember() = %v; want ok=%v", tc.name, err, tc.ok)
		}
	}
}
