package dev.weft.it;

import java.util.ArrayList;
import java.util.List;

/** The processes and apps one test started, closed together (processes first, newest first). */
final class Fleet implements AutoCloseable {
    private final List<WeftProcess> processes = new ArrayList<>();
    private final List<NamedApp> apps = new ArrayList<>();

    /** Starts a NamedApp answering with {@code name}; returns its port. */
    int app(String name) {
        NamedApp a = NamedApp.start(name);
        apps.add(a);
        return a.port();
    }

    WeftProcess track(WeftProcess p) {
        processes.add(p);
        return p;
    }

    @Override
    public void close() {
        for (int i = processes.size() - 1; i >= 0; i--) {
            processes.get(i).close();
        }
        apps.forEach(NamedApp::close);
    }
}
