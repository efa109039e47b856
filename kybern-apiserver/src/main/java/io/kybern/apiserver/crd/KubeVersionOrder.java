package io.kybern.apiserver.crd;

import java.util.Comparator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Kubernetes' order of version names, most preferred first: GA before beta before alpha, higher major
 * then higher minor first within each ({@code v2, v1, v1beta2, v1beta1, v1alpha1}), and names that look
 * like none of these last, alphabetically. Discovery lists a custom group's versions in this order and
 * prefers the first.
 */
final class KubeVersionOrder implements Comparator<String> {

    static final KubeVersionOrder INSTANCE = new KubeVersionOrder();

    private static final Pattern KUBE = Pattern.compile("^v(\\d+)(?:(alpha|beta)(\\d+))?$");

    private KubeVersionOrder() {
    }

    @Override
    public int compare(String a, String b) {
        Matcher ma = KUBE.matcher(a);
        Matcher mb = KUBE.matcher(b);
        boolean ka = ma.matches();
        boolean kb = mb.matches();
        if (!ka || !kb) {
            return ka ? -1 : kb ? 1 : a.compareTo(b);
        }
        int stability = Integer.compare(qualifierRank(mb.group(2)), qualifierRank(ma.group(2)));
        if (stability != 0) {
            return stability;
        }
        int major = Long.compare(Long.parseLong(mb.group(1)), Long.parseLong(ma.group(1)));
        if (major != 0 || ma.group(3) == null) {
            return major;
        }
        return Long.compare(Long.parseLong(mb.group(3)), Long.parseLong(ma.group(3)));
    }

    private static int qualifierRank(String qualifier) {
        return qualifier == null ? 2 : qualifier.equals("beta") ? 1 : 0;
    }

    /** 2 for GA, 1 for beta, 0 for alpha, -1 for a name of no Kubernetes form. */
    int stability(String version) {
        Matcher matcher = KUBE.matcher(version);
        return matcher.matches() ? qualifierRank(matcher.group(2)) : -1;
    }
}
