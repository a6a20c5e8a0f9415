package dev.weft.cli;
