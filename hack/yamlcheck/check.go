package main

import (
	"errors"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"

	"github.com/plumbline/plumbline/hack/tektoncheck"
)

// Dirs holds the YAML we ship and therefore validate.
var Dirs = []string{"tasks", "pipelines", "triggers", "stepactions", "schedules"}

// Check validates the shipped YAML under root and .ko.yaml.
func Check(root string) ([]tektoncheck.Problem, error) {
	files, err := yamlFiles(root)
	if err != nil {
		return nil, err
	}
	decoded := tektoncheck.NewFiles()
	tasks, actions := decoded.Load(files)
	c := &tektoncheck.Checker{Root: root, Images: tektoncheck.KoBuilt, Tasks: tasks, StepActions: actions, Files: decoded}
	var problems []tektoncheck.Problem
	for _, f := range files {
		ps, err := c.File(f)
		if err != nil {
			return nil, err
		}
		problems = append(problems, ps...)
	}
	ko, err := checkKoConfig(root)
	if err != nil {
		return nil, err
	}
	claims, err := checkMinVersion(root, files)
	if err != nil {
		return nil, err
	}
	return append(append(problems, ko...), claims...), nil
}

func yamlFiles(root string) ([]string, error) {
	var files []string
	for _, dir := range Dirs {
		err := filepath.WalkDir(filepath.Join(root, dir), func(path string, d fs.DirEntry, err error) error {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			if err != nil {
				return err
			}
			if !d.IsDir() && (strings.HasSuffix(path, ".yaml") || strings.HasSuffix(path, ".yml")) {
				files = append(files, path)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	slices.Sort(files)
	return files, nil
}
