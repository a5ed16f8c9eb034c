#! /bin/bash
echo "Hello!"
