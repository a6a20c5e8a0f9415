package dev.weft.bench;
