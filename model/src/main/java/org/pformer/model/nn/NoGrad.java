package org.pformer.model.nn;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

/**
 * PyTorch's {@code torch.no_grad()} for the current thread: autograd recording off until {@link #close()}, which
 * restores the thread's previous mode. Grad mode is thread-local in libtorch and starts ON in every new thread;
 * DJL's gradient collector only restores the mode it found. Code that updates parameters in place (optimizer steps,
 * temperature clamps) or runs inference must therefore not rely on the calling thread's mode — a worker's activity
 * threads are fresh threads — and opens one of these instead.
 */
public final class NoGrad implements AutoCloseable {

    private final boolean previous;

    private NoGrad() {
        Engine.getEngine("PyTorch"); // loads the native library before the first JNI call
        previous = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
    }

    /** Turns autograd recording off for this thread until the returned handle is closed. */
    public static NoGrad enter() {
        return new NoGrad();
    }

    @Override
    public void close() {
        JniUtils.setGradMode(previous);
    }
}
