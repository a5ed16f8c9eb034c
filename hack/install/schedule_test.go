package main

import (
	"os"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// TestFillSchedule: make install's SCHEDULE_REPO, SCHEDULE_REVISION and
// SCHEDULE go into schedules/drift.yaml's marked lines, the template
// still a TaskRun; a URL with credentials or a bad schedule is refused.
func TestFillSchedule(t *testing.T) {
	data, err := os.ReadFile("../../schedules/drift.yaml")
	if err != nil {
		t.Fatal(err)
	}
	o := &options{scheduleRepo: "https://git.home.arpa/me/homelab.git", scheduleRevision: "prod", schedule: "*/30 * * * *"}
	out, err := o.fillSchedule(data)
	if err != nil {
		t.Fatal(err)
	}
	var run struct {
		Spec struct {
			Params []struct{ Name, Value string } `json:"params"`
		} `json:"spec"`
	}
	var cronSchedule string
	for _, doc := range strings.Split(string(out), "\n---\n") {
		var obj struct {
			Kind string            `json:"kind"`
			Data map[string]string `json:"data"`
			Spec struct {
				Schedule string `json:"schedule"`
			} `json:"spec"`
		}
		if err := yaml.Unmarshal([]byte(doc), &obj); err != nil {
			t.Fatal(err)
		}
		switch obj.Kind {
		case "ConfigMap":
			if err := yaml.Unmarshal([]byte(obj.Data["run.yaml"]), &run); err != nil {
				t.Fatal(err)
			}
		case "CronJob":
			cronSchedule = obj.Spec.Schedule
		}
	}
	got := map[string]string{}
	for _, p := range run.Spec.Params {
		got[p.Name] = p.Value
	}
	if got["repo-url"] != o.scheduleRepo || got["revision"] != "prod" || got["repo"] != "me/homelab" || cronSchedule != "*/30 * * * *" {
		t.Errorf("params %v, schedule %q", got, cronSchedule)
	}
	for _, bad := range []*options{
		{scheduleRepo: "https://me:token@git.home.arpa/me/homelab.git", schedule: "@hourly"},
		{scheduleRepo: "https://git.home.arpa/me/homelab.git", schedule: "hourly"},
		{scheduleRepo: "not a url", schedule: "@hourly"},
	} {
		if _, err := bad.fillSchedule(data); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}
