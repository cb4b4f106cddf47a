package io.msgc.cli;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/**
 * POSIX signal handlers for the daemon (TERM, INT, HUP, USR1) through {@code sun.misc.Signal} of the
 * {@code jdk.unsupported} module, reached reflectively so the build stays free of "internal proprietary API"
 * warnings. The handler runs on a JVM signal thread: it should only hand the event over.
 */
final class Signals
{
    private Signals()
    {
    }

    /**
     * Replace the JVM's handling of a signal.
     *
     * @param name   signal name without {@code SIG}: {@code TERM}, {@code INT}, {@code HUP}, {@code USR1}.
     * @param action run on a signal thread at each delivery.
     * @return null when installed, else why not (the signal is ignored, e.g. under nohup, or reserved).
     */
    static String handle(final String name, final Runnable action)
    {
        try
        {
            final Class<?> signalClass = Class.forName("sun.misc.Signal");
            final Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
            final Object signal = signalClass.getConstructor(String.class).newInstance(name);
            final Object handler = Proxy.newProxyInstance(handlerClass.getClassLoader(), new Class<?>[]{handlerClass},
                (proxy, method, args) -> invoke(proxy, method, args, action));
            signalClass.getMethod("handle", signalClass, handlerClass).invoke(null, signal, handler);
            return null;
        }
        catch (final ReflectiveOperationException ex)
        {
            final Throwable cause = ex.getCause() != null ? ex.getCause() : ex;
            return String.valueOf(cause.getMessage());
        }
        catch (final RuntimeException ex)
        {
            return String.valueOf(ex.getMessage());
        }
    }

    private static Object invoke(final Object proxy, final Method method, final Object[] args, final Runnable action)
    {
        switch (method.getName())
        {
            case "handle":
                action.run();
                return null;
            case "hashCode":
                return System.identityHashCode(proxy);
            case "equals":
                return proxy == args[0];
            default:
                return "msgc-signal-handler";
        }
    }
}
