package dev.weft.demo;
